DROP INDEX ix_ticket_event_event_waktu ON ticket_event;
DROP INDEX ix_ticket_rated ON ticket;
DROP INDEX ix_ticket_first_answer ON ticket;
DROP INDEX ix_pesan_report ON pesan;
DROP TABLE report_run;
