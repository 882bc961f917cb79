"""Consultations: questions become tickets in the OSDM staff group, staff answers go back; the FAQ first."""
