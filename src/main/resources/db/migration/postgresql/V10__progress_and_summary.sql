-- Progress per batch and a daily summary (docs/progress-and-summary.md).

-- Per-drop / per-source counts by state read only that source's index entries (no table access where the database
-- can answer from the index): (source_name, state) replaces the index on source_name alone, which it covers.
CREATE INDEX ecpay_command_source_state ON ecpay_command (source_name, state);
DROP INDEX ecpay_command_source;

-- The ERP may tag inbox rows with a batch of its own (an export run, an order day); progress is then read per batch.
ALTER TABLE ecpay_inbox ADD COLUMN batch_id VARCHAR(100);
CREATE INDEX ecpay_inbox_batch ON ecpay_inbox (batch_id);

-- Commands by state for each source: a dropped file (source_name = its archive name) or a SQL source table.
-- Query it with WHERE source_name = ...: the grouping is then done on that source's index entries only.
CREATE VIEW ecpay_source_progress AS
SELECT c.source_kind, c.source_name,
       COUNT(*) AS journaled,
       SUM(CASE WHEN c.state = 'NEW' THEN 1 ELSE 0 END) AS waiting,
       SUM(CASE WHEN c.state = 'IN_FLIGHT' THEN 1 ELSE 0 END) AS in_flight,
       SUM(CASE WHEN c.state = 'RETRY' THEN 1 ELSE 0 END) AS retrying,
       SUM(CASE WHEN c.state = 'UNKNOWN' THEN 1 ELSE 0 END) AS unknown_outcome,
       SUM(CASE WHEN c.state = 'SUCCEEDED' THEN 1 ELSE 0 END) AS succeeded,
       SUM(CASE WHEN c.state = 'DEAD' THEN 1 ELSE 0 END) AS dead,
       SUM(CASE WHEN c.state IN ('SUCCEEDED', 'DEAD') THEN 1 ELSE 0 END) AS final_count
FROM ecpay_command c
WHERE c.source_name IS NOT NULL
GROUP BY c.source_kind, c.source_name;

-- Inbox rows by batch: rows, still untaken, rejected, journaled, and the journal's states of the taken rows.
CREATE VIEW ecpay_inbox_progress AS
SELECT i.batch_id,
       COUNT(*) AS row_count,
       SUM(CASE WHEN i.status = 'NEW' THEN 1 ELSE 0 END) AS untaken,
       SUM(CASE WHEN i.status = 'REJECTED' THEN 1 ELSE 0 END) AS rejected,
       SUM(CASE WHEN c.id IS NOT NULL THEN 1 ELSE 0 END) AS journaled,
       SUM(CASE WHEN c.state = 'NEW' THEN 1 ELSE 0 END) AS waiting,
       SUM(CASE WHEN c.state = 'IN_FLIGHT' THEN 1 ELSE 0 END) AS in_flight,
       SUM(CASE WHEN c.state = 'RETRY' THEN 1 ELSE 0 END) AS retrying,
       SUM(CASE WHEN c.state = 'UNKNOWN' THEN 1 ELSE 0 END) AS unknown_outcome,
       SUM(CASE WHEN c.state = 'SUCCEEDED' THEN 1 ELSE 0 END) AS succeeded,
       SUM(CASE WHEN c.state = 'DEAD' THEN 1 ELSE 0 END) AS dead,
       SUM(CASE WHEN i.status = 'REJECTED' OR c.state IN ('SUCCEEDED', 'DEAD') THEN 1 ELSE 0 END) AS final_count,
       MIN(i.created_at) AS first_created_at, MAX(c.updated_at) AS last_updated_at
FROM ecpay_inbox i LEFT JOIN ecpay_command c ON c.id = i.id
GROUP BY i.batch_id;

-- Final commands per day (Asia/Taipei, UTC+8 all year: the day of ECPay's own ledger), merchant, operation and state,
-- dated by when they became final. amount: SalesAmount (invoices) or AllowanceAmount (allowances) of the Data.
CREATE VIEW ecpay_daily_summary AS
SELECT CAST(c.updated_at + INTERVAL '8 hours' AS DATE) AS summary_date, c.merchant_id, c.operation, c.state,
       COUNT(*) AS commands,
       SUM(CASE WHEN c.payload LIKE '{%' THEN CAST(COALESCE(c.payload::jsonb ->> 'SalesAmount',
                                                             c.payload::jsonb ->> 'AllowanceAmount') AS NUMERIC) END) AS amount
FROM ecpay_command c
WHERE c.state IN ('SUCCEEDED', 'DEAD')
GROUP BY CAST(c.updated_at + INTERVAL '8 hours' AS DATE), c.merchant_id, c.operation, c.state;
