-- Guest tickets have no NIP to go back to: they are removed with everything that refers to them.
DELETE FROM staff_outbox WHERE ticket_id IN (SELECT id FROM ticket WHERE nip IS NULL);
DELETE FROM ticket_message WHERE ticket_id IN (SELECT id FROM ticket WHERE nip IS NULL);
DELETE FROM ticket_event WHERE ticket_id IN (SELECT id FROM ticket WHERE nip IS NULL);
UPDATE faq_offer SET ticket_id = NULL WHERE ticket_id IN (SELECT id FROM ticket WHERE nip IS NULL);
DELETE FROM ticket WHERE nip IS NULL;
DROP INDEX ix_ticket_guest_status ON ticket;
ALTER TABLE ticket
    DROP COLUMN instruction_sent_at,
    DROP COLUMN guest_name,
    DROP COLUMN guest_telegram_id,
    MODIFY nip CHAR(18) NOT NULL;
