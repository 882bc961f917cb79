-- Setup of consultation_staff_reply.json and consultation_auto_close_schedule.json (events/README.md):
-- Budi's question "bagaimana cara mengajukan cuti besar?" is ticket #1, answered by Rina 30 days ago, and
-- its copy in the staff group is message 2, the message the sample staff reply replies to.
-- Needs registered.sql first.
INSERT INTO ticket (id, nip, chat_id, status, staff_chat_id, header_message_id, created_at, first_answer_at,
                    last_answer_at)
VALUES (1, '199001172015031001', 5550001, 'dijawab', -1001000000001, NULL,
        UTC_TIMESTAMP(6) - INTERVAL 30 DAY, UTC_TIMESTAMP(6) - INTERVAL 30 DAY,
        UTC_TIMESTAMP(6) - INTERVAL 30 DAY);
INSERT INTO ticket_event (ticket_id, waktu, event, from_status, to_status, actor_type, actor_id, actor_name)
VALUES (1, UTC_TIMESTAMP(6) - INTERVAL 30 DAY, 'opened', NULL, 'baru', 'pegawai', 5550001, 'Budi Santoso'),
       (1, UTC_TIMESTAMP(6) - INTERVAL 30 DAY, 'answered', 'baru', 'dijawab', 'staf', 5550101, 'Rina');
INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind, private_message_id, created_at)
VALUES (1, -1001000000001, 2, 'question', 11, UTC_TIMESTAMP(6) - INTERVAL 30 DAY);
