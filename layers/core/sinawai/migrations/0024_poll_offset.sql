-- depends: 0023_staff_burst_lists
-- sinawai serve (issue 16, item 4): one server with long polling instead of the webhook.
-- poll_offset: the getUpdates offset, written after each update is recorded in update_inbox, so a restart
-- neither loses an update (it is asked for again) nor repeats one (the inbox has it already).
CREATE TABLE poll_offset (
    bot_id BIGINT NOT NULL COMMENT 'the bot (getMe id): another token starts from its own offset',
    next_offset BIGINT NOT NULL COMMENT 'every update below it is recorded in update_inbox',
    updated_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (bot_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- serve_schedule_run: the last due time each in-process schedule ran for, so a restart does not run a
-- digest twice and a short stop over a due time runs it once at start.
CREATE TABLE serve_schedule_run (
    name VARCHAR(64) NOT NULL,
    last_due DATETIME(6) NOT NULL COMMENT 'UTC',
    ran_at DATETIME(6) NOT NULL COMMENT 'UTC',
    PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
