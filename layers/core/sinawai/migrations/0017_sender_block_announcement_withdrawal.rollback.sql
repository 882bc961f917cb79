ALTER TABLE announcement
    DROP COLUMN withdrawn_by,
    DROP COLUMN withdrawn_at,
    DROP COLUMN edited_at;
DROP TABLE sender_block;
