-- depends: 0005_staff_outbox
-- What the information and document services record for the evaluation report: every FAQ offer made
-- before a consultation (and whether it answered the question), every information topic shown and every
-- document sent. The report reads these by time, so each has an index on its time column.

-- A free-text question answered with FAQ topics first. outcome: menunggu (buttons shown, no choice yet),
-- terjawab ("Ya, terjawab"), diteruskan ("Tidak, teruskan ke petugas": a ticket was opened),
-- tanpa_kecocokan (no topic matched well enough: a ticket was opened at once).
CREATE TABLE faq_offer (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    chat_id BIGINT NOT NULL,
    nip CHAR(18) NULL,
    question TEXT NULL COMMENT 'the employee''s question, as the ticket would carry it',
    topic_ids JSON NULL COMMENT 'the topics offered, best first',
    best_score DECIMAL(5, 2) NULL COMMENT 'match score of the best topic, 0-100',
    outcome ENUM('menunggu', 'terjawab', 'diteruskan', 'tanpa_kecocokan') NOT NULL DEFAULT 'menunggu',
    ticket_id BIGINT UNSIGNED NULL COMMENT 'the ticket opened when the FAQ did not answer',
    offered_at DATETIME(6) NOT NULL COMMENT 'UTC',
    decided_at DATETIME(6) NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    KEY ix_faq_offer_offered (offered_at),
    KEY ix_faq_offer_chat (chat_id, offered_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every information topic shown (by command or button), per service area.
CREATE TABLE content_view (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    chat_id BIGINT NOT NULL,
    area VARCHAR(32) NOT NULL COMMENT 'renbangkompeg, mutasi, jahdis, pengkinpeg, terkini',
    topic_id VARCHAR(64) NULL COMMENT 'NULL when only the area menu was shown',
    via ENUM('command', 'button', 'faq') NOT NULL,
    viewed_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    KEY ix_content_view_viewed (viewed_at),
    KEY ix_content_view_area (area, viewed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every document sent to an employee. method: upload (first send, the file went to Telegram),
-- file_id (Telegram's stored copy reused), link (over 50 MB: a presigned link was sent instead).
CREATE TABLE document_send (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    document_id VARCHAR(64) NOT NULL,
    category VARCHAR(64) NULL,
    chat_id BIGINT NOT NULL,
    nip CHAR(18) NULL,
    method ENUM('upload', 'file_id', 'link') NOT NULL,
    sent_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    KEY ix_document_send_sent (sent_at),
    KEY ix_document_send_document (document_id, sent_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
