-- Marks a row taken. Conditional: the row count decides which instance owns the row (1 = this one, 0 = another).
-- Runs in the same transaction as the journal insert.
UPDATE ecpay_inbox
SET status = 'TAKEN', taken_at = :now
WHERE id = :row_key AND status = 'NEW'
