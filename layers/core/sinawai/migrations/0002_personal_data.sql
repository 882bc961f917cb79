-- depends: 0001_initial
-- Personal data added by the seed's evaluation (Tabel 5: tunkin and cuti), the audit trail of registration
-- and personal-data views, and the record of HR imports.

-- Performance allowance per employee and month, imported from the HR system.
CREATE TABLE tunkin (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    nip CHAR(18) NOT NULL,
    periode CHAR(7) NOT NULL COMMENT 'YYYY-MM',
    kelas_jabatan TINYINT UNSIGNED NOT NULL,
    tunjangan BIGINT UNSIGNED NOT NULL COMMENT 'gross, whole rupiah',
    potongan BIGINT UNSIGNED NOT NULL COMMENT 'deductions, whole rupiah',
    keterangan VARCHAR(500) NULL,
    imported_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_tunkin_nip_periode (nip, periode),
    CONSTRAINT fk_tunkin_pengguna FOREIGN KEY (nip) REFERENCES pengguna (nip) ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Leave balance per employee, year and kind of leave, imported from the HR system.
CREATE TABLE cuti (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    nip CHAR(18) NOT NULL,
    tahun SMALLINT UNSIGNED NOT NULL,
    jenis ENUM('tahunan', 'besar', 'sakit', 'melahirkan', 'alasan_penting', 'luar_tanggungan') NOT NULL,
    hak SMALLINT UNSIGNED NOT NULL COMMENT 'entitlement, days',
    terpakai SMALLINT UNSIGNED NOT NULL COMMENT 'used, days',
    imported_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_cuti_nip_tahun_jenis (nip, tahun, jenis),
    CONSTRAINT fk_cuti_pengguna FOREIGN KEY (nip) REFERENCES pengguna (nip) ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Who did what to identities and personal data, for the evaluation and for investigations.
-- event: register_success, register_failure, register_locked, lockout, unbind, password_change,
-- password_change_failure, view_datapribadi, view_tunkin, view_cuti, import.
CREATE TABLE audit_log (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    waktu DATETIME(6) NOT NULL COMMENT 'UTC',
    event VARCHAR(40) NOT NULL,
    telegram_user_id BIGINT NULL,
    chat_id BIGINT NULL,
    nip CHAR(18) NULL COMMENT 'as typed (failures) or as bound (successes); never a password',
    detail JSON NULL,
    PRIMARY KEY (id),
    KEY ix_audit_event_waktu (event, waktu),
    KEY ix_audit_nip_waktu (nip, waktu),
    KEY ix_audit_user_waktu (telegram_user_id, waktu)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per import of an HR file (CLI or S3), with its outcome.
CREATE TABLE import_run (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind ENUM('employees', 'tunkin', 'cuti') NOT NULL,
    source VARCHAR(1024) NOT NULL,
    file_sha256 CHAR(64) NOT NULL,
    started_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    status ENUM('running', 'imported', 'rejected', 'failed') NOT NULL,
    rows_total INT UNSIGNED NOT NULL DEFAULT 0,
    inserted INT UNSIGNED NOT NULL DEFAULT 0,
    updated INT UNSIGNED NOT NULL DEFAULT 0,
    unchanged INT UNSIGNED NOT NULL DEFAULT 0,
    errors JSON NULL COMMENT 'bad rows with line numbers',
    PRIMARY KEY (id),
    KEY ix_import_started (started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
