-- depends: 0009_inbox_leases_secrets
-- Retention (issue 13, item 6; sinawai.platform.retention): a daily purge removes the content of old rows
-- and keeps the rows themselves, so every count of the evaluation report stays as it was.
-- * retention_cursor: how far each purge has walked its table, in the order of the table's time column,
--   so a run that stopped at its time budget resumes where it stopped and a daily run reads only new rows;
-- * the indexes that find a consultation's messages: its staff-group and private-chat messages in pesan
--   (by chat and Telegram message id, as ticket_message maps them) and the FAQ question that opened it.
CREATE TABLE retention_cursor (
    task VARCHAR(32) NOT NULL COMMENT 'inbox_done, inbox_ignored, inbox_failed, messages, faq_questions, tickets',
    last_at DATETIME(6) NOT NULL COMMENT 'UTC; the time column of the last row walked',
    last_id BIGINT NOT NULL COMMENT 'the key of the last row walked (ties on last_at)',
    updated_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (task)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE INDEX ix_pesan_chat_message ON pesan (chat_id, id_pesan);
CREATE INDEX ix_ticket_message_private ON ticket_message (private_message_id);
CREATE INDEX ix_faq_offer_ticket ON faq_offer (ticket_id);
