-- Outcome channel delivery (the outbox): every SUCCEEDED or DEAD command reaches its channel at least once.
-- last_outcome: the verdict of the attempt that ended the command (SUCCESS, ALREADY_DONE, RETRY, UNKNOWN, DEAD),
--   kept so a re-published channel message reads exactly like the first one.
-- channel_delivered_at: when the channel endpoint accepted the message; NULL = a final command not delivered yet.
-- channel_attempt_at: when the last re-publish was claimed; a row is re-published once this (or, before the first
--   re-publish, updated_at) is older than ecpay.channel.redeliver-after.
ALTER TABLE ecpay_command ADD COLUMN last_outcome VARCHAR(12);
ALTER TABLE ecpay_command ADD COLUMN channel_delivered_at TIMESTAMP(3) NULL;
ALTER TABLE ecpay_command ADD COLUMN channel_attempt_at TIMESTAMP(3) NULL;

-- commands already final before this version were delivered (or given up on) by the release that finished them
UPDATE ecpay_command SET channel_delivered_at = updated_at WHERE state IN ('SUCCEEDED', 'DEAD');

CREATE INDEX ecpay_command_undelivered ON ecpay_command (channel_delivered_at, state);
