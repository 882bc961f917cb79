"""The HR data import: employees, tunkin and cuti files from the HR system, all or nothing."""
