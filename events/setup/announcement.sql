-- Setup of broadcast_sqs_chunk.json (events/README.md): announcement #1, posted by the staff group, is being
-- broadcast; Budi (5550001) and Siti (5550002), the chunk's recipients, have not received it yet.
INSERT INTO announcement (id, body, staff_chat_id, posted_at, broadcast_at)
VALUES (1, 'Apel pagi Senin pukul 07.30 WIB di halaman kantor.', -1001000000001, UTC_TIMESTAMP(6),
        UTC_TIMESTAMP(6));
INSERT INTO announcement_delivery (announcement_id, chat_id) VALUES (1, 5550001), (1, 5550002);
