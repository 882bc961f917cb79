-- depends: 0018_staff_answers
-- Staff tools (issue 15, items 5 and 9):
-- * a ticket carries the area of the bureau that handles it, set from the FAQ's best topic or by the staff
--   (/area N jahdis), shown in the header and filtered in /tiket;
-- * the morning list of overdue tickets goes to a staff group once a day (the row is its claim).
ALTER TABLE ticket
    ADD COLUMN area VARCHAR(16) NOT NULL DEFAULT 'umum'
        COMMENT 'renbangkompeg | mutasi | jahdis | pengkinpeg | umum',
    ADD KEY ix_ticket_area (staff_chat_id, area, status);
CREATE TABLE sla_daily_list (
    staff_chat_id BIGINT NOT NULL,
    day DATE NOT NULL COMMENT 'the service-timezone day the list was for',
    sent_at DATETIME NOT NULL,
    PRIMARY KEY (staff_chat_id, day)
);
