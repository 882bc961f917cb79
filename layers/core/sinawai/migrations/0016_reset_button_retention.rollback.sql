DROP INDEX ix_ticket_choice_expires ON ticket_choice;
ALTER TABLE password_reset
    DROP KEY ix_password_reset_expires,
    DROP KEY uq_password_reset_request,
    DROP COLUMN request_audit_id;
