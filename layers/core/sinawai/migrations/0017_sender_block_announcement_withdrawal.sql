-- depends: 0016_reset_button_retention
-- Staff housekeeping (issue 15, item 8):
-- * an admin blocks the sender of a ticket for a while (/blokir N [jam], /bukablokir N): the sender is an
--   employee (their NIP) or a guest (their Telegram id); they are told once per block, when they write;
-- * an announcement can be edited or withdrawn from /terkini (the row stays, for the audit trail).
CREATE TABLE sender_block (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    nip CHAR(18) NULL COMMENT 'the blocked employee; NULL for a guest',
    guest_telegram_id BIGINT NULL COMMENT 'the blocked guest''s Telegram user id; NULL for an employee',
    ticket_id BIGINT UNSIGNED NOT NULL COMMENT 'the ticket the block was given on',
    blocked_by BIGINT NOT NULL COMMENT 'Telegram user id of the admin',
    blocked_at DATETIME(6) NOT NULL COMMENT 'UTC',
    until_at DATETIME(6) NOT NULL COMMENT 'UTC; the block ends then',
    lifted_at DATETIME(6) NULL COMMENT 'UTC; lifted early with /bukablokir',
    lifted_by BIGINT NULL,
    notified_at DATETIME(6) NULL COMMENT 'UTC; the sender was told (once per block)',
    PRIMARY KEY (id),
    KEY ix_sender_block_nip (nip, until_at),
    KEY ix_sender_block_guest (guest_telegram_id, until_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
ALTER TABLE announcement
    ADD COLUMN edited_at DATETIME(6) NULL COMMENT 'UTC; last edited from the staff group',
    ADD COLUMN withdrawn_at DATETIME(6) NULL COMMENT 'UTC; withdrawn: no longer shown by /terkini',
    ADD COLUMN withdrawn_by BIGINT NULL COMMENT 'Telegram user id of the staff member who withdrew it';
