"""Documents: forms, templates and regulations offered by role (/dokumen, /unggah)."""
