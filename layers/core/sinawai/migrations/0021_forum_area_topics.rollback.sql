DELETE FROM ticket_message WHERE kind = 'moved';
ALTER TABLE ticket_message
    MODIFY kind ENUM('header', 'question', 'followup', 'answer', 'notice', 'note') NOT NULL;
DROP TABLE staff_forum_topic;
