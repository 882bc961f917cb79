DROP INDEX ix_announcement_delivery_chat ON announcement_delivery;
DROP INDEX ix_faq_offer_nip ON faq_offer;
DROP INDEX ix_document_send_nip ON document_send;
DROP INDEX ix_document_send_chat ON document_send;
DROP INDEX ix_content_view_chat ON content_view;
DROP INDEX ix_pesan_sender_waktu ON pesan;
