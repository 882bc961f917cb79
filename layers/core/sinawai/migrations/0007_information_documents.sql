-- depends: 0006_service_records
-- The information and document services: documents offered by /dokumen, and announcements (/umumkan,
-- /terkini) with their optional broadcast to every registered employee. The topics and answers themselves
-- are not here: OSDM keeps them in content files, published to S3 (`sinawai content publish`).

-- A document employees can ask for. The file lives in S3 (s3_key in DOCUMENTS_BUCKET); after the first
-- upload to Telegram its file_id is kept, so each file is uploaded to Telegram once.
CREATE TABLE document (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    category VARCHAR(32) NOT NULL COMMENT 'slug: formulir, templat, peraturan, ...',
    title VARCHAR(200) NOT NULL,
    roles SET('pegawai', 'staf', 'admin') NOT NULL DEFAULT 'pegawai,staf,admin'
        COMMENT 'who may see it (pengguna.hak_pengguna)',
    s3_key VARCHAR(512) NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    mime_type VARCHAR(127) NULL,
    size_bytes BIGINT UNSIGNED NOT NULL,
    telegram_file_id VARCHAR(255) NULL COMMENT 'Telegram''s copy after the first upload',
    added_by VARCHAR(255) NULL,
    added_at DATETIME(6) NOT NULL COMMENT 'UTC',
    file_id_at DATETIME(6) NULL COMMENT 'UTC',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_document_category_title (category, title),
    KEY ix_document_category (active, category)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- An announcement posted by a staff member from the staff group; /terkini shows the latest ones.
CREATE TABLE announcement (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    body TEXT NOT NULL COMMENT 'Telegram HTML, as shown to employees',
    posted_by BIGINT NULL COMMENT 'Telegram user id of the staff member',
    posted_by_name VARCHAR(255) NULL,
    staff_chat_id BIGINT NOT NULL,
    source_message_id BIGINT NULL,
    update_id BIGINT NULL COMMENT 'the /umumkan update: a retry does not post it twice',
    posted_at DATETIME(6) NOT NULL COMMENT 'UTC',
    broadcast_at DATETIME(6) NULL COMMENT 'UTC; when the broadcast to every employee was requested',
    summary_sent_at DATETIME(6) NULL COMMENT 'UTC; the delivery summary went to the staff group',
    PRIMARY KEY (id),
    UNIQUE KEY uq_announcement_update (update_id),
    KEY ix_announcement_posted (posted_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per recipient of a broadcast: the broadcast resumes from here after any failure.
CREATE TABLE announcement_delivery (
    announcement_id BIGINT UNSIGNED NOT NULL,
    chat_id BIGINT NOT NULL,
    status ENUM('pending', 'sent', 'blocked', 'failed') NOT NULL DEFAULT 'pending',
    attempts INT UNSIGNED NOT NULL DEFAULT 0,
    error VARCHAR(255) NULL,
    sent_at DATETIME(6) NULL COMMENT 'UTC',
    PRIMARY KEY (announcement_id, chat_id),
    KEY ix_announcement_delivery_status (announcement_id, status),
    CONSTRAINT fk_announcement_delivery FOREIGN KEY (announcement_id) REFERENCES announcement (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- What an FAQ offer needs to open the ticket later, with the original question: the question's message
-- (copied to the staff group), the offer's message (its buttons), and the update that made the offer
-- (a retried update finds its offer instead of making a second one).
ALTER TABLE faq_offer
    ADD COLUMN question_message_id BIGINT NULL COMMENT 'the employee''s question in the private chat',
    ADD COLUMN offer_message_id BIGINT NULL COMMENT 'the bot''s offer with the Ya/Tidak buttons',
    ADD COLUMN update_id BIGINT NULL COMMENT 'the update of the question',
    ADD UNIQUE KEY uq_faq_offer_update (update_id);
