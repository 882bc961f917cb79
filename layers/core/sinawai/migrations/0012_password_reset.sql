-- depends: 0011_data_subject
-- "Lupa kata sandi" (issue 14): a staff member issues a one-time code with /resetsandi NIP; the employee
-- registers with /daftar NIP KODE and must then set a new password before seeing personal data.
-- Only the code's slow salted hash is kept (registration/passwords.py), never the code.
CREATE TABLE password_reset (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    nip CHAR(18) NOT NULL,
    code_hash VARCHAR(255) NOT NULL,
    issued_by_telegram BIGINT NOT NULL COMMENT 'the staff member who issued it',
    issued_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6) NULL,
    used_by_telegram BIGINT NULL,
    PRIMARY KEY (id),
    KEY ix_password_reset_nip (nip, expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE pengguna
    ADD COLUMN wajib_ganti_sandi BOOLEAN NOT NULL DEFAULT FALSE
    COMMENT '1 after registering with a reset code: a new password comes first';
