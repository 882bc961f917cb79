-- depends: 0019_ticket_area
-- Weekly and monthly digests (issue 15, item 13): a run is claimed once per kind and period, like the daily
-- one; report_date is the period's first day (the Monday of a week, the 1st of a month).
ALTER TABLE report_run
    ADD COLUMN kind ENUM('daily', 'weekly', 'monthly') NOT NULL DEFAULT 'daily'
        COMMENT 'daily: report_date is the day; weekly/monthly: the period''s first day' FIRST,
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (kind, report_date);
