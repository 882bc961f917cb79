-- depends: 0014_guest_tickets
-- The employee's type (issue 14): ASN are PNS or PPPK, and their rules differ (leave kinds, competency
-- hours), so /cuti, the menus and the FAQ answer each with the rules of their type. Imported from the HR
-- system's employees file (column jenis_asn); an employee imported before this column existed is a PNS.
ALTER TABLE pengguna
    ADD COLUMN jenis_asn ENUM('PNS', 'PPPK') NOT NULL DEFAULT 'PNS' COMMENT 'PNS or PPPK (PP 49/2018)'
    AFTER hak_pengguna;
