-- depends: 0021_forum_area_topics
-- A large HR import fanned out over SQS (issue 16, item 1): the run, its chunks counted once each, the rows
-- the chunks staged (never a clear password: only the hash decided for it), and one lock row per kind so
-- that two runs of the same kind never interleave their commits.
CREATE TABLE import_fanout (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    kind ENUM('employees', 'tunkin', 'cuti') NOT NULL,
    full_mode BOOLEAN NOT NULL DEFAULT FALSE,
    source VARCHAR(1024) NOT NULL COMMENT 's3://bucket/key?versionId=...',
    bucket VARCHAR(255) NOT NULL,
    object_key VARCHAR(1024) NOT NULL,
    version_id VARCHAR(1024) NULL,
    file_name VARCHAR(1024) NOT NULL,
    file_sha256 CHAR(64) NOT NULL,
    rows_total INT UNSIGNED NOT NULL,
    chunk_rows INT UNSIGNED NOT NULL,
    chunks_total INT UNSIGNED NOT NULL,
    warnings JSON NULL,
    status ENUM('staging', 'imported', 'rejected', 'failed') NOT NULL,
    progress_message_id BIGINT NULL COMMENT 'the staff-group message edited at each step',
    progress_step TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'quarters of the chunks already told',
    import_run_id BIGINT UNSIGNED NULL,
    error VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY ix_import_fanout_source (source(255))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE import_chunk (
    fanout_id BIGINT UNSIGNED NOT NULL,
    chunk_no INT UNSIGNED NOT NULL,
    rows_staged INT UNSIGNED NOT NULL,
    done_at DATETIME(6) NOT NULL,
    PRIMARY KEY (fanout_id, chunk_no)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE import_staging (
    fanout_id BIGINT UNSIGNED NOT NULL,
    line INT UNSIGNED NOT NULL COMMENT 'the row line as the staff see it (header = 1)',
    nip CHAR(18) NOT NULL,
    record JSON NOT NULL COMMENT 'the parsed row without its password',
    password_hash VARCHAR(255) NULL COMMENT 'employees: the hash to store; NULL: a registered employee keeps theirs',
    pre_hash VARCHAR(255) NULL COMMENT 'employees: the stored hash the decision was made against',
    PRIMARY KEY (fanout_id, line)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE import_lock (
    kind ENUM('employees', 'tunkin', 'cuti') NOT NULL,
    PRIMARY KEY (kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO import_lock (kind) VALUES ('employees'), ('tunkin'), ('cuti');
