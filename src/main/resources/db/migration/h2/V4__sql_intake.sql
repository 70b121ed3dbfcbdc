-- SQL intake. The ERP inserts commands into ecpay_inbox and reads results from the views below.
-- ERP contract (stable): the ERP writes id, operation, merchant_id (optional), payload; the product writes the rest.
CREATE TABLE ecpay_inbox (
    id          VARCHAR(100)  NOT NULL PRIMARY KEY,            -- the command's idempotency key (the ERP's own key)
    operation   VARCHAR(60)   NOT NULL,                        -- e.g. B2CInvoice/TriggerIssue
    merchant_id VARCHAR(10),                                   -- empty: the configured merchant
    payload     TEXT          NOT NULL,                        -- ECPay's Data as a JSON object
    created_at  TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP,
    status      VARCHAR(10)   NOT NULL DEFAULT 'NEW',          -- product: NEW, TAKEN or REJECTED
    reason      VARCHAR(1000),                                 -- product: why the row was rejected
    taken_at    TIMESTAMP(3)                                   -- product: when it was taken or rejected (UTC)
);
CREATE INDEX ecpay_inbox_new ON ecpay_inbox (status, created_at);

-- The state last written back to a SQL source row, so each change of state is written back once.
ALTER TABLE ecpay_command ADD COLUMN source_reported_state VARCHAR(12);

-- Every command's state and result, for any source. invoice_no: from the reply, else from the command's Data.
CREATE VIEW ecpay_command_status AS
SELECT c.id, c.operation, c.merchant_id, c.state, c.attempts,
       c.last_rtn_code AS rtn_code, c.last_rtn_msg AS rtn_msg, c.last_reason AS reason,
       COALESCE(REGEXP_SUBSTR(c.reply, '"Invoice(?:No|Number)"\s*:\s*"([^"]*)"', 1, 1, '', 1),
                REGEXP_SUBSTR(c.payload, '"Invoice(?:No|Number)"\s*:\s*"([^"]*)"', 1, 1, '', 1)) AS invoice_no,
       c.reply, c.source_kind, c.source_name, c.source_ref, c.created_at, c.updated_at
FROM ecpay_command c;

-- One row per inbox row: REJECTED with the reason, PENDING until journaled, then the journal's state and result.
CREATE VIEW ecpay_inbox_status AS
SELECT i.id, i.operation, i.status AS intake_status,
       CASE WHEN i.status = 'REJECTED' THEN 'REJECTED' ELSE COALESCE(s.state, 'PENDING') END AS state,
       s.rtn_code, s.rtn_msg, COALESCE(s.reason, i.reason) AS reason, s.invoice_no, s.reply,
       i.created_at, i.taken_at, s.updated_at
FROM ecpay_inbox i LEFT JOIN ecpay_command_status s ON s.id = i.id;
