DROP TABLE staff_pending_send;
DELETE FROM ticket_message WHERE kind = 'note';
ALTER TABLE ticket_message
    MODIFY kind ENUM('header', 'question', 'followup', 'answer', 'notice') NOT NULL;
DROP TABLE staff_template;
