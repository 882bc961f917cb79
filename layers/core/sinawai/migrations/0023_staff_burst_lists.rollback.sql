DROP TABLE staff_list_entry;
DROP TABLE staff_list;
-- A ticket still waiting as a 'list' item gets its header and copy instead, as before the burst mode.
INSERT INTO staff_outbox (ticket_id, kind, staff_chat_id, created_at)
    SELECT ticket_id, 'header', staff_chat_id, created_at FROM staff_outbox
    WHERE kind = 'list' AND status = 'pending' ORDER BY id;
INSERT INTO staff_outbox (ticket_id, kind, staff_chat_id, from_chat_id, private_message_id, created_at)
    SELECT ticket_id, 'question', staff_chat_id, from_chat_id, private_message_id, created_at FROM staff_outbox
    WHERE kind = 'list' AND status = 'pending' ORDER BY id;
DELETE FROM staff_outbox WHERE kind = 'list';
ALTER TABLE staff_outbox MODIFY kind ENUM('header', 'question', 'followup') NOT NULL;
