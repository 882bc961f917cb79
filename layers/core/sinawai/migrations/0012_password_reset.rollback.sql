ALTER TABLE pengguna DROP COLUMN wajib_ganti_sandi;
DROP TABLE password_reset;
