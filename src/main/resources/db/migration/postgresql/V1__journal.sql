-- The command journal: one row per command, the single source of truth for its state.
CREATE TABLE ecpay_command (
    id               VARCHAR(100)  NOT NULL PRIMARY KEY,   -- idempotency key
    operation        VARCHAR(60)   NOT NULL,
    merchant_id      VARCHAR(10)   NOT NULL,
    payload          TEXT          NOT NULL,               -- the command's Data as JSON
    state            VARCHAR(12)   NOT NULL,               -- NEW, IN_FLIGHT, SUCCEEDED, RETRY, UNKNOWN, DEAD
    attempts         INTEGER       NOT NULL DEFAULT 0,
    maybe_sent       BOOLEAN       NOT NULL DEFAULT FALSE, -- an attempt may have reached ECPay
    next_attempt_at  TIMESTAMP(3)  NOT NULL,
    claim_owner      VARCHAR(100),
    claim_expires_at TIMESTAMP(3),
    last_http_status INTEGER,
    last_trans_code  INTEGER,
    last_rtn_code    INTEGER,
    last_rtn_msg     VARCHAR(1000),
    last_reason      VARCHAR(1000),
    reply            TEXT,                                 -- the decrypted reply Data as JSON
    source_kind      VARCHAR(10),                          -- file, sftp, sql, api
    source_name      VARCHAR(500),                         -- file path, SFTP path, table name
    source_ref       VARCHAR(200),                         -- line number or row key
    created_at       TIMESTAMP(3)  NOT NULL,
    updated_at       TIMESTAMP(3)  NOT NULL
);
CREATE INDEX ecpay_command_due ON ecpay_command (state, next_attempt_at);
CREATE INDEX ecpay_command_source ON ecpay_command (source_name);

-- Merchants every instance must leave alone until paused_until (HTTP 403 rate limit).
CREATE TABLE ecpay_merchant_pause (
    merchant_id  VARCHAR(10)   NOT NULL PRIMARY KEY,
    paused_until TIMESTAMP(3)  NOT NULL,
    reason       VARCHAR(1000)
);
