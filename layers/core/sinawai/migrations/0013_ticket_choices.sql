-- depends: 0012_password_reset
-- Several questions at once (issue 14, item 5). A message an employee sends while a ticket is open waits
-- here, durable, until they choose where it goes (an open ticket, or a new question); a button press
-- claims it once (status and chosen_update_id), so a double press or a retry never places it twice.
CREATE TABLE ticket_choice (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    update_id BIGINT NOT NULL COMMENT 'the update that brought the message (a retry finds its row)',
    chat_id BIGINT NOT NULL COMMENT 'the employee''s private chat',
    nip CHAR(18) NOT NULL,
    message_id BIGINT NOT NULL COMMENT 'the pending message in the private chat (copied to staff once placed)',
    offered JSON NOT NULL COMMENT 'the open tickets offered, latest first',
    prompt_message_id BIGINT NULL COMMENT 'the bot''s question with the buttons',
    status ENUM('menunggu', 'dipilih') NOT NULL DEFAULT 'menunggu',
    choice VARCHAR(20) NULL COMMENT 'a ticket id, or baru',
    chosen_update_id BIGINT NULL COMMENT 'the button press that decided it (its retries resume)',
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    expires_at DATETIME(6) NOT NULL COMMENT 'UTC; a press after it places nothing',
    decided_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_ticket_choice_update (update_id),
    KEY ix_ticket_choice_chat (chat_id, status),
    KEY ix_ticket_choice_nip (nip)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The bot's messages in an employee's private chat that belong to a ticket (its acknowledgement, the
-- "added to ticket" and "taken" notices): a Telegram reply to one of them joins that ticket without asking.
-- Relayed staff answers are found through ticket_message.private_message_id. No foreign key: a lookup
-- only (a row whose ticket is gone finds nothing), so deleting tickets (tests, ops) needs no order.
CREATE TABLE ticket_private_message (
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    ticket_id BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (chat_id, message_id),
    KEY ix_ticket_private_message_ticket (ticket_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
