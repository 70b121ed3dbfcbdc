-- Source rows that map to a command journaled from another row, whose command's state changed since it was last
-- written back to them. Same columns as results-due.sql, source_name / source_ref naming the duplicate row.
SELECT c.id, c.state, c.last_rtn_code, c.last_rtn_msg, c.last_reason, c.reply, c.payload,
       d.source_name, d.row_key AS source_ref
FROM ecpay_sql_duplicate_row d
JOIN ecpay_command c ON c.id = d.command_id
WHERE c.state IN ('SUCCEEDED', 'RETRY', 'UNKNOWN', 'DEAD')
  AND (d.reported_state IS NULL OR d.reported_state <> c.state)
ORDER BY d.taken_at
