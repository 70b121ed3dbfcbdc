-- Outcomes waiting for channel delivery are found by state first: with (channel_delivered_at, state) a backlog of
-- NEW commands (channel_delivered_at NULL too) made the "mark delivered" update of one command read the whole backlog
-- on H2. Every per-command statement goes by primary key; the re-publish query reads only undelivered final rows.
DROP INDEX ecpay_command_undelivered ON ecpay_command;
CREATE INDEX ecpay_command_undelivered ON ecpay_command (state, channel_delivered_at);
