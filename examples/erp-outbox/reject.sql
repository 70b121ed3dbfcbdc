-- A row that is not a valid command: why, in plain words.
UPDATE erp_invoice_outbox
SET ecpay_status = 'REJECTED', ecpay_reason = :reason, ecpay_updated_at = :now
WHERE outbox_id = :row_key AND ecpay_status = 'PENDING'
