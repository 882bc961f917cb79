-- depends: 0017_sender_block_announcement_withdrawal
-- Staff answers (issue 15, items 3, 4 and 7):
-- * templates: short reusable replies, per staff group, by name (/templat simpan NAMA, /templat NAMA);
-- * an internal note is the staff message itself, mapped to its ticket with the kind 'note' (its text stays
--   in the message log, purged with the ticket's other messages), never sent to the employee;
-- * a send waiting for a staff member's confirmation: a message written without a reply shortly after an
--   Ambil, or a canned topic chosen from the header's list; claimed once (resolved_at), it expires.
CREATE TABLE staff_template (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    staff_chat_id BIGINT NOT NULL,
    name VARCHAR(32) NOT NULL,
    body_html TEXT NOT NULL COMMENT 'Telegram HTML, as the staff member wrote it',
    created_by BIGINT NULL COMMENT 'Telegram user id',
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    UNIQUE KEY uq_staff_template_name (staff_chat_id, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE ticket_message
    MODIFY kind ENUM('header', 'question', 'followup', 'answer', 'notice', 'note') NOT NULL;

CREATE TABLE staff_pending_send (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    staff_chat_id BIGINT NOT NULL,
    ticket_id BIGINT UNSIGNED NOT NULL,
    staff_id BIGINT NOT NULL COMMENT 'the staff member who may confirm it',
    source ENUM('message', 'topic') NOT NULL,
    message_id BIGINT NULL COMMENT 'the staff message to send (source message)',
    topic_id VARCHAR(64) NULL COMMENT 'the content topic to send (source topic)',
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    expires_at DATETIME(6) NOT NULL COMMENT 'UTC',
    resolved_at DATETIME(6) NULL,
    resolution VARCHAR(16) NULL COMMENT 'sent, dismissed, stale (closed, handed over or answered since)',
    resolved_update_id BIGINT NULL COMMENT 'the button press that resolved it (a retry resumes it)',
    PRIMARY KEY (id),
    UNIQUE KEY uq_staff_pending_message (staff_chat_id, message_id),
    KEY ix_staff_pending_expires (expires_at, id),
    CONSTRAINT fk_staff_pending_ticket FOREIGN KEY (ticket_id) REFERENCES ticket (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
