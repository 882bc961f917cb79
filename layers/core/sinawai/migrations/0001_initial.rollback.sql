DROP TABLE conversation;
DROP TABLE update_inbox;
DROP TABLE pesan;
DROP TABLE pengguna;
