-- depends: 0004_update_steps
-- Paced delivery into the staff group: what the bot still has to post there, written in the same
-- transaction as the ticket change, and the recent posts that keep it under Telegram's group limit.
CREATE TABLE staff_outbox (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    ticket_id BIGINT UNSIGNED NOT NULL,
    kind ENUM('header', 'question', 'followup') NOT NULL,
    staff_chat_id BIGINT NOT NULL,
    from_chat_id BIGINT NULL COMMENT 'the employee''s chat, for a copied question',
    private_message_id BIGINT NULL COMMENT 'the employee''s message to copy',
    status ENUM('pending', 'sent', 'failed') NOT NULL DEFAULT 'pending',
    attempts INT UNSIGNED NOT NULL DEFAULT 0,
    staff_message_id BIGINT NULL,
    last_error VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    sent_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY ix_staff_outbox_ticket (ticket_id, status, id),
    KEY ix_staff_outbox_status (status, created_at),
    CONSTRAINT fk_staff_outbox_ticket FOREIGN KEY (ticket_id) REFERENCES ticket (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per staff group: locked while a sender takes a slot, so all instances share one limit.
CREATE TABLE staff_pacer (
    staff_chat_id BIGINT NOT NULL,
    PRIMARY KEY (staff_chat_id)
) ENGINE = InnoDB;

-- The slots taken in the current window (older rows are deleted as the window moves on).
CREATE TABLE staff_send (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    staff_chat_id BIGINT NOT NULL,
    sent_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    KEY ix_staff_send_chat (staff_chat_id, sent_at)
) ENGINE = InnoDB;
