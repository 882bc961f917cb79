-- depends: 0006_service_records
-- The evaluation report: one row per scheduled daily digest (the report date is its key, so a retried or
-- doubled schedule cannot send a second digest), and the indexes that keep the report's queries fast over
-- a year of activity (see README, "The evaluation report").

CREATE TABLE report_run (
    report_date DATE NOT NULL COMMENT 'the WIB calendar day reported on',
    status ENUM('claimed', 'sent', 'failed') NOT NULL COMMENT 'claimed: a run is sending it now',
    attempts INT UNSIGNED NOT NULL DEFAULT 1,
    claimed_at DATETIME(6) NOT NULL COMMENT 'UTC; a claim older than the lease is taken over',
    chat_id BIGINT NULL COMMENT 'the managers'' chat it went to',
    text_message_id BIGINT NULL COMMENT 'each part is recorded once sent: a retry sends only the rest',
    chart_message_id BIGINT NULL,
    workbook_message_id BIGINT NULL,
    sent_at DATETIME(6) NULL,
    archive_status ENUM('pending', 'archived') NOT NULL DEFAULT 'pending',
    archive_prefix VARCHAR(255) NULL COMMENT 'reports/YYYY/MM/DD/ in DOCUMENTS_BUCKET',
    archived_at DATETIME(6) NULL,
    staff_notified_at DATETIME(6) NULL COMMENT 'the staff group was told the digest could not be sent',
    last_error VARCHAR(1000) NULL,
    PRIMARY KEY (report_date),
    KEY ix_report_run_archive (archive_status, report_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Messages per day, direction, chat kind, area and command, answered from the index alone (no row reads).
CREATE INDEX ix_pesan_report ON pesan (waktu, direction, chat_type, chat_id, command_group, command);
-- Tickets by the moment of their first answer and of their rating (created_at and closed_at have theirs).
CREATE INDEX ix_ticket_first_answer ON ticket (first_answer_at, created_at);
CREATE INDEX ix_ticket_rated ON ticket (rated_at);
-- Staff answers (and other ticket events) of a period, by kind of event.
CREATE INDEX ix_ticket_event_event_waktu ON ticket_event (event, waktu, actor_type, actor_id);
