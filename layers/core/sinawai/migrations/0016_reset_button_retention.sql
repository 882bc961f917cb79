-- depends: 0015_asn_type
-- Access gaps (issue 14, items 2 and 5 follow-ups):
-- * a reset request in the staff group carries a button that issues the code without typing the NIP; the
--   code answers that request (its audit_log row), once: a second press finds the row and issues nothing;
-- * the daily retention purge walks password_reset and ticket_choice by expiry (sinawai.platform.retention).
ALTER TABLE password_reset
    ADD COLUMN request_audit_id BIGINT UNSIGNED NULL
        COMMENT 'the reset request (audit_log row) this code answered, when issued with its button',
    ADD UNIQUE KEY uq_password_reset_request (request_audit_id),
    ADD KEY ix_password_reset_expires (expires_at, id);
CREATE INDEX ix_ticket_choice_expires ON ticket_choice (expires_at, id);
