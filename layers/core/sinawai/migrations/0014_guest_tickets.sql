-- depends: 0013_ticket_choices
-- Guest questions (issue 14): a Telegram account bound to no NIP may still ask. Its ticket has no NIP; it
-- belongs to the account it was asked from (guest_telegram_id), and the staff see only the Telegram name
-- (guest_name), marked unverified. A ticket is either an employee's (nip) or a guest's, never both: the
-- code keeps that (MySQL 8 forbids a CHECK on nip, a column with an ON UPDATE CASCADE foreign key).
-- The answer-relay instruction is given once per ticket: instruction_sent_at records when.
ALTER TABLE ticket
    MODIFY nip CHAR(18) NULL,
    ADD COLUMN guest_telegram_id BIGINT NULL COMMENT 'a guest ticket: the unregistered account that asked'
        AFTER nip,
    ADD COLUMN guest_name VARCHAR(255) NULL COMMENT 'a guest ticket: the Telegram name, as the staff see it'
        AFTER guest_telegram_id,
    ADD COLUMN instruction_sent_at DATETIME(6) NULL COMMENT 'UTC; how to go on was told with an answer';
CREATE INDEX ix_ticket_guest_status ON ticket (guest_telegram_id, status);
