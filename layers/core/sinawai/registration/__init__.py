"""Registration and personal data (/daftar, /gantisandi, /keluar, /datapribadi, /tunkin, /cuti), and the
employee record every feature reads."""
