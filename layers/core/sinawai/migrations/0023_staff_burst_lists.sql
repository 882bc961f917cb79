-- depends: 0022_import_staging
-- A morning burst into the staff group (issue 16, item 3; CONSULTATION_BURST_THRESHOLD): while the group's
-- backlog of posts is long, a new ticket is queued as one 'list' item instead of a header and a copy; the
-- delivery posts every waiting 'list' item of the group as one compact list message. Each list message is
-- remembered with the tickets it shows, so a take marks its line and its full question replies to it.
ALTER TABLE staff_outbox MODIFY kind ENUM('header', 'question', 'followup', 'list') NOT NULL;

CREATE TABLE staff_list (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    staff_chat_id BIGINT NOT NULL,
    staff_message_id BIGINT NOT NULL,
    shown_digest CHAR(64) NULL COMMENT 'SHA-256 of the text and buttons shown now: an edit only when they change',
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    UNIQUE KEY uq_staff_list_message (staff_chat_id, staff_message_id),
    KEY ix_staff_list_recent (staff_chat_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The tickets of a list message, in the order shown; the outbox item names the question to preview.
CREATE TABLE staff_list_entry (
    list_id BIGINT UNSIGNED NOT NULL,
    ticket_id BIGINT UNSIGNED NOT NULL,
    position SMALLINT UNSIGNED NOT NULL,
    outbox_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (list_id, ticket_id),
    KEY ix_staff_list_entry_ticket (ticket_id),
    CONSTRAINT fk_staff_list_entry_list FOREIGN KEY (list_id) REFERENCES staff_list (id),
    CONSTRAINT fk_staff_list_entry_ticket FOREIGN KEY (ticket_id) REFERENCES ticket (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
