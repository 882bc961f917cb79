DELETE FROM report_run WHERE kind <> 'daily';
ALTER TABLE report_run
    DROP PRIMARY KEY,
    DROP COLUMN kind,
    ADD PRIMARY KEY (report_date);
