DROP TABLE staff_send;
DROP TABLE staff_pacer;
DROP TABLE staff_outbox;
