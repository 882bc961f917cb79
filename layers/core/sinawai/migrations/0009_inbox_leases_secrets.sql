-- depends: 0008_reports
-- Hardening of the update inbox (issue 10):
-- * a claim is a lease: the worker that claims an update records its Lambda request id and how long it
--   may still run; a retry of a worker that timed out or crashed finds the lease over and takes it again,
--   and a sweep re-dispatches updates whose lease ended without a result;
-- * a secret (a password) never travels in clear through Lambda's retry queue or a dead-letter queue:
--   the router keeps the clear update here XOR-ed with a one-time pad that only the invoke payload
--   carries; neither half alone tells anything, and this half is wiped when the update is finished or
--   after a few minutes;
-- * a chat where /daftar or /gantisandi was started is "sensitive" from the moment the router sees the
--   command until a grace period after the step ended, so a password sent late, early or starting with
--   "/" is never stored in clear, relayed to staff or matched against the FAQ.
ALTER TABLE update_inbox
    ADD COLUMN request_id VARCHAR(64) NULL COMMENT 'Lambda request id of the worker holding the claim',
    ADD COLUMN lease_until DATETIME(6) NULL COMMENT 'UTC; the claim is free again after this',
    ADD COLUMN sealed MEDIUMBLOB NULL COMMENT 'the clear update XOR a one-time pad; wiped when finished',
    ADD KEY ix_inbox_lease (status, lease_until),
    ADD KEY ix_inbox_chat (chat_id, update_id);

CREATE TABLE sensitive_chat (
    chat_id BIGINT NOT NULL,
    command VARCHAR(32) NOT NULL COMMENT 'the command that opened it: daftar or gantisandi',
    opened_at DATETIME(6) NOT NULL COMMENT 'UTC',
    step_until DATETIME(6) NOT NULL COMMENT 'UTC; every message before this answers the secret step',
    closed_at DATETIME(6) NULL COMMENT 'UTC; the step ended (finished or cancelled) before step_until',
    finished BOOLEAN NOT NULL DEFAULT FALSE COMMENT 'it ended with the password accepted',
    grace_until DATETIME(6) NOT NULL COMMENT 'UTC; a text before this may still be a password',
    PRIMARY KEY (chat_id),
    KEY ix_sensitive_chat_grace (grace_until)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Updates the bot does not act on (chatter in groups) are counted, not stored.
CREATE TABLE update_counter (
    day DATE NOT NULL COMMENT 'UTC',
    chat_type VARCHAR(16) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    n INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (day, chat_type, kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
