-- Every time the product writes is UTC; the inbox's insertion time, filled in by the database, is now UTC too
-- (CURRENT_TIMESTAMP is the session's local time, which made created_at and taken_at disagree on a UTC+8 host).
-- H2 converts a zoned value back to the session's zone when cast, so the offset is taken off by hand.
ALTER TABLE ecpay_inbox ALTER COLUMN created_at SET DEFAULT DATEADD(SECOND,
    -(EXTRACT(TIMEZONE_HOUR FROM CURRENT_TIMESTAMP) * 3600 + EXTRACT(TIMEZONE_MINUTE FROM CURRENT_TIMESTAMP) * 60),
    LOCALTIMESTAMP(3));
