-- Journal rows from SQL sources whose state changed since it was last written back to the source row.
SELECT id, state, last_rtn_code, last_rtn_msg, last_reason, reply, payload, source_name, source_ref
FROM ecpay_command
WHERE source_kind = 'sql'
  AND state IN ('SUCCEEDED', 'RETRY', 'UNKNOWN', 'DEAD')
  AND (source_reported_state IS NULL OR source_reported_state <> state)
ORDER BY updated_at
