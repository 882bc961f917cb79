ALTER TABLE faq_offer DROP INDEX uq_faq_offer_update, DROP COLUMN update_id, DROP COLUMN offer_message_id,
    DROP COLUMN question_message_id;
DROP TABLE announcement_delivery;
DROP TABLE announcement;
DROP TABLE document;
