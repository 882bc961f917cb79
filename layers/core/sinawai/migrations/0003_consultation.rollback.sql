DROP TABLE ticket_message;
DROP TABLE ticket_event;
DROP TABLE ticket;
ALTER TABLE pengguna DROP COLUMN bot_blocked_at;
