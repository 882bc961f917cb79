DROP TABLE document_send;
DROP TABLE content_view;
DROP TABLE faq_offer;
