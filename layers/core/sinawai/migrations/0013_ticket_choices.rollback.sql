DROP TABLE ticket_private_message;
DROP TABLE ticket_choice;
