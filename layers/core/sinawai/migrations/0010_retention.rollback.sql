DROP INDEX ix_faq_offer_ticket ON faq_offer;
DROP INDEX ix_ticket_message_private ON ticket_message;
DROP INDEX ix_pesan_chat_message ON pesan;
DROP TABLE retention_cursor;
