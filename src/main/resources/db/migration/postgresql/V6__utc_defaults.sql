-- Every time the product writes is UTC; the inbox's insertion time, filled in by the database, is now UTC too
-- (CURRENT_TIMESTAMP is the session's local time, which made created_at and taken_at disagree on a UTC+8 host).
ALTER TABLE ecpay_inbox ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC');
