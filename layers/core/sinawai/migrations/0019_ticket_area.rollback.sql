DROP TABLE sla_daily_list;
ALTER TABLE ticket
    DROP KEY ix_ticket_area,
    DROP COLUMN area;
