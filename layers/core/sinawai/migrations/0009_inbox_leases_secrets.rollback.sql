DROP TABLE update_counter;
DROP TABLE sensitive_chat;
ALTER TABLE update_inbox DROP KEY ix_inbox_chat, DROP KEY ix_inbox_lease, DROP COLUMN sealed, DROP COLUMN lease_until,
    DROP COLUMN request_id;
