-- Sinawai initial schema. Times are UTC (DATETIME(6)); every connection sets time_zone = '+00:00'.
-- The seed's tables keep their names and columns (pengguna, pesan) so the bureau's existing exports and
-- reports still read them; columns added since are in English.

-- Employees and their Telegram binding (seed: pengguna). hak_pengguna and status are closed sets now.
CREATE TABLE pengguna (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    nip CHAR(18) NOT NULL COMMENT '18 digits, kept as text',
    nama VARCHAR(200) NOT NULL,
    password_hash VARCHAR(255) NULL COMMENT 'salted slow hash; never the password itself',
    id_telegram BIGINT NULL,
    status ENUM('aktif', 'nonaktif') NOT NULL DEFAULT 'aktif',
    hak_pengguna ENUM('pegawai', 'staf', 'admin') NOT NULL DEFAULT 'pegawai',
    jabatan VARCHAR(255) NULL,
    unit_kerja VARCHAR(255) NULL,
    pangkat VARCHAR(100) NULL,
    golongan VARCHAR(10) NULL,
    kelas_jabatan TINYINT UNSIGNED NULL,
    jenis_kelamin ENUM('L', 'P') NULL,
    tanggal_lahir DATE NULL,
    email VARCHAR(255) NULL,
    registered_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    UNIQUE KEY uq_pengguna_nip (nip),
    UNIQUE KEY uq_pengguna_telegram (id_telegram)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The message log (seed: pesan): every update in and every message out, the evaluation's source.
CREATE TABLE pesan (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    waktu DATETIME(6) NOT NULL COMMENT 'UTC',
    direction ENUM('in', 'out') NOT NULL,
    chat_id BIGINT NOT NULL,
    chat_type VARCHAR(16) NULL,
    id_pengirim BIGINT NULL COMMENT 'Telegram user id of the sender; the bot for out',
    pengirim VARCHAR(255) NULL COMMENT 'display name of the sender',
    isi_pesan TEXT NULL COMMENT 'text, caption or button data; secrets redacted',
    data JSON NULL COMMENT 'what else the message carried: keyboard, file, entities',
    id_pesan BIGINT NULL COMMENT 'Telegram message_id',
    update_id BIGINT NULL COMMENT 'the update this row came in with, or answered',
    kind VARCHAR(32) NOT NULL COMMENT 'message, callback_query, edited_message, sendMessage, ...',
    command VARCHAR(64) NULL,
    command_group VARCHAR(32) NULL,
    PRIMARY KEY (id),
    KEY ix_pesan_waktu (waktu),
    KEY ix_pesan_chat_waktu (chat_id, waktu),
    KEY ix_pesan_group_waktu (command_group, waktu),
    KEY ix_pesan_update (update_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every webhook delivery, durable before the webhook answers 200; the processing state makes each
-- update run exactly once even when Telegram or Lambda deliver it again.
CREATE TABLE update_inbox (
    update_id BIGINT NOT NULL,
    received_at DATETIME(6) NOT NULL,
    status ENUM('received', 'dispatched', 'processing', 'done', 'failed', 'ignored') NOT NULL,
    command_group VARCHAR(32) NULL,
    chat_id BIGINT NULL,
    payload JSON NOT NULL COMMENT 'the update as received, secrets redacted',
    attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    dispatched_at DATETIME(6) NULL,
    claimed_at DATETIME(6) NULL,
    finished_at DATETIME(6) NULL,
    error VARCHAR(1000) NULL,
    PRIMARY KEY (update_id),
    KEY ix_inbox_status (status, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A chat's pending conversation (e.g. /daftar waiting for the NIP): the router sends the next plain text
-- to its group, and redacts it before storing when it is a secret.
CREATE TABLE conversation (
    chat_id BIGINT NOT NULL,
    command_group VARCHAR(32) NOT NULL,
    state VARCHAR(64) NOT NULL,
    data JSON NULL,
    sensitive_input BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    PRIMARY KEY (chat_id),
    KEY ix_conversation_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
