-- depends: 0020_report_kinds
-- One forum topic per area (issue 15, item 5; CONSULTATION_FORUM_TOPICS=area): each staff group's topic of
-- an area is created once and remembered here; a ticket moved to another area gets a short notice in the
-- new area's topic ('moved'), which its later posts reply to (Telegram cannot move the header).
CREATE TABLE staff_forum_topic (
    staff_chat_id BIGINT NOT NULL,
    area VARCHAR(16) NOT NULL COMMENT 'renbangkompeg | mutasi | jahdis | pengkinpeg | umum',
    message_thread_id BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (staff_chat_id, area),
    UNIQUE KEY uq_staff_forum_topic_thread (staff_chat_id, message_thread_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE ticket_message
    MODIFY kind ENUM('header', 'question', 'followup', 'answer', 'notice', 'note', 'moved') NOT NULL;
