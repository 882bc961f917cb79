-- depends: 0002_personal_data
-- Consultations: a free-text question of an employee becomes a ticket that OSDM staff answer in the staff
-- group. Ticket status values are the bureau's words: baru, diproses, dijawab, selesai.

-- An employee who blocked the bot: set when a relay answered 403, cleared when they write again.
ALTER TABLE pengguna ADD COLUMN bot_blocked_at DATETIME(6) NULL COMMENT 'UTC; the bot got 403 writing to them';

CREATE TABLE ticket (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    nip CHAR(18) NOT NULL,
    chat_id BIGINT NOT NULL COMMENT 'the employee''s private chat (their Telegram user id)',
    status ENUM('baru', 'diproses', 'dijawab', 'selesai') NOT NULL DEFAULT 'baru',
    staff_chat_id BIGINT NOT NULL,
    header_message_id BIGINT NULL COMMENT 'the ticket''s header message in the staff group',
    message_thread_id BIGINT NULL COMMENT 'forum topic of the ticket, when topics are used',
    assigned_staff_id BIGINT NULL,
    assigned_staff_name VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    first_answer_at DATETIME(6) NULL,
    last_answer_at DATETIME(6) NULL,
    closed_at DATETIME(6) NULL,
    rating TINYINT UNSIGNED NULL COMMENT '1-5',
    rating_comment TEXT NULL,
    rated_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY ix_ticket_status_created (status, created_at),
    KEY ix_ticket_created (created_at),
    KEY ix_ticket_closed (closed_at),
    KEY ix_ticket_nip_status (nip, status),
    CONSTRAINT fk_ticket_pengguna FOREIGN KEY (nip) REFERENCES pengguna (nip) ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every state change (and every question, answer and rating) of a ticket, with who did it: first-response
-- and resolution times are derived from these rows.
CREATE TABLE ticket_event (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    ticket_id BIGINT UNSIGNED NOT NULL,
    waktu DATETIME(6) NOT NULL COMMENT 'UTC',
    event VARCHAR(32) NOT NULL COMMENT 'opened, question, taken, answered, reopened, closed, rated, ...',
    from_status VARCHAR(16) NULL,
    to_status VARCHAR(16) NULL,
    actor_type ENUM('pegawai', 'staf', 'sistem') NOT NULL,
    actor_id BIGINT NULL COMMENT 'Telegram user id',
    actor_name VARCHAR(255) NULL,
    detail JSON NULL,
    PRIMARY KEY (id),
    KEY ix_ticket_event_ticket_waktu (ticket_id, waktu),
    KEY ix_ticket_event_waktu (waktu),
    KEY ix_ticket_event_actor (actor_id, event, waktu),
    CONSTRAINT fk_ticket_event_ticket FOREIGN KEY (ticket_id) REFERENCES ticket (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Which staff-group message belongs to which ticket: a staff reply to any of them answers the ticket.
CREATE TABLE ticket_message (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    ticket_id BIGINT UNSIGNED NOT NULL,
    staff_chat_id BIGINT NOT NULL,
    staff_message_id BIGINT NOT NULL,
    kind ENUM('header', 'question', 'followup', 'answer', 'notice') NOT NULL,
    private_message_id BIGINT NULL COMMENT 'the matching message in the employee''s chat',
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (id),
    UNIQUE KEY uq_ticket_message_staff (staff_chat_id, staff_message_id),
    KEY ix_ticket_message_ticket (ticket_id, created_at),
    CONSTRAINT fk_ticket_message_ticket FOREIGN KEY (ticket_id) REFERENCES ticket (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
