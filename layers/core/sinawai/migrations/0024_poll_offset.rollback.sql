DROP TABLE serve_schedule_run;
DROP TABLE poll_offset;
