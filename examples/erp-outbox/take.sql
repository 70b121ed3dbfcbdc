-- Conditional mark: the row count decides which instance owns the row. Same transaction as the journal insert.
UPDATE erp_invoice_outbox
SET ecpay_status = 'TAKEN', ecpay_updated_at = :now
WHERE outbox_id = :row_key AND ecpay_status = 'PENDING'
