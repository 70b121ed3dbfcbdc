-- Audit: one row per attempt of a command (kind ATTEMPT), written in the same statement or transaction as the
-- completion that ends the attempt, and one row per command an operator re-drove (kind REDRIVE). Never the keys and
-- never the plain Data: data_sha256 is the SHA-256 of the Data JSON the attempt sent (before encryption).
CREATE TABLE ecpay_attempt (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    command_id       VARCHAR(100)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    attempt          INTEGER       NOT NULL,               -- the command's attempt number (REDRIVE: attempts so far)
    kind             VARCHAR(10)   NOT NULL,               -- ATTEMPT, REDRIVE
    instance_id      VARCHAR(100),                         -- the instance that made it (REDRIVE: who re-drove)
    started_at       DATETIME(3)    NOT NULL,               -- UTC
    ended_at         DATETIME(3)    NOT NULL,               -- UTC
    duration_ms      BIGINT,
    http_status      INTEGER,
    trans_code       INTEGER,
    rtn_code         INTEGER,
    rtn_msg          VARCHAR(1000),
    outcome          VARCHAR(12),                          -- the verdict: SUCCESS, ALREADY_DONE, RETRY, UNKNOWN, DEAD
    state_after      VARCHAR(12),                          -- the command's state after it (LOST: the claim was lost)
    reason           VARCHAR(1000),
    evidence         VARCHAR(30),
    data_sha256      CHAR(64),
    lookup_operation VARCHAR(60),                          -- the reconciliation call made in this attempt, if any
    redrive_id       VARCHAR(40)   CHARACTER SET utf8mb4 COLLATE utf8mb4_bin                         -- REDRIVE: the re-drive (ecpay_redrive) it belongs to
) DEFAULT CHARSET = utf8mb4;
CREATE INDEX ecpay_attempt_command ON ecpay_attempt (command_id, id);
CREATE INDEX ecpay_attempt_ended ON ecpay_attempt (ended_at);

-- One row per re-drive an operator made (dry runs are not recorded: they change nothing).
CREATE TABLE ecpay_redrive (
    id           VARCHAR(40)   CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    requested_at DATETIME(3)    NOT NULL,                   -- UTC
    requested_by VARCHAR(100)  NOT NULL,
    via          VARCHAR(20)   NOT NULL,                   -- cli, route, http
    selection    VARCHAR(2000) NOT NULL,                   -- the selection as JSON
    matched      INTEGER       NOT NULL,                   -- DEAD commands the selection matched
    resent       INTEGER       NOT NULL,                   -- due again as RETRY (never reached ECPay)
    reconciled   INTEGER       NOT NULL,                   -- due again as UNKNOWN: re-sent with the same key, adopted on a duplicate
    skipped      INTEGER       NOT NULL                    -- may have reached ECPay and has no lookup, or changed meanwhile
) DEFAULT CHARSET = utf8mb4;
CREATE INDEX ecpay_redrive_requested ON ecpay_redrive (requested_at);

-- Attempts counted against ecpay.dispatch.max-attempts start here: a re-drive gives the command a fresh budget while
-- attempt numbers keep growing (each number is one attempt in the audit).
ALTER TABLE ecpay_command ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0;

-- Every attempt and re-drive with its command, oldest first when ordered by id.
CREATE VIEW ecpay_attempt_history AS
SELECT a.id, a.command_id, c.operation, c.merchant_id, c.source_name, c.state AS command_state, a.attempt, a.kind,
       a.instance_id, a.started_at, a.ended_at, a.duration_ms, a.http_status, a.trans_code, a.rtn_code, a.rtn_msg,
       a.outcome, a.state_after, a.reason, a.evidence, a.data_sha256, a.lookup_operation, a.redrive_id,
       r.requested_by AS redrive_by, r.selection AS redrive_selection
FROM ecpay_attempt a
LEFT JOIN ecpay_command c ON c.id = a.command_id
LEFT JOIN ecpay_redrive r ON r.id = a.redrive_id;
