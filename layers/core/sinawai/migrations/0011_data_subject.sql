-- depends: 0010_retention
-- The data subject's rights (UU PDP 27/2022, issue 13): `sinawai pegawai ekspor|hapus` and /datasaya find
-- everything about one employee by their Telegram accounts. Without these indexes the anonymisation's
-- UPDATEs would scan (and, under REPEATABLE READ, lock) every row of the message log and the service
-- records while the bot keeps writing to them.
-- (pesan (chat_id, id_pesan) is indexed by 0010_retention already: ix_pesan_chat_message)
CREATE INDEX ix_pesan_sender_waktu ON pesan (id_pengirim, waktu);
CREATE INDEX ix_content_view_chat ON content_view (chat_id, viewed_at);
CREATE INDEX ix_document_send_chat ON document_send (chat_id, sent_at);
CREATE INDEX ix_document_send_nip ON document_send (nip);
CREATE INDEX ix_faq_offer_nip ON faq_offer (nip);
CREATE INDEX ix_announcement_delivery_chat ON announcement_delivery (chat_id);
