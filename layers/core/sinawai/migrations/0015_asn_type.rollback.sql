ALTER TABLE pengguna DROP COLUMN jenis_asn;
