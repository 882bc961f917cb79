-- depends: 0003_consultation
-- Which Telegram calls an update's processing has already made: a Lambda retry of the update resumes
-- after the last completed step instead of sending a message (or logging a question) twice.
CREATE TABLE update_step (
    update_id BIGINT NOT NULL,
    step VARCHAR(32) NOT NULL COMMENT 'e.g. placed:new, topic, answer_tag, answer_copy, answered',
    result BIGINT NULL COMMENT 'what the step produced: a ticket id or a message id',
    created_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (update_id, step),
    KEY ix_update_step_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
