-- Writes a command's state and result back to its ERP row, on every change of state.
-- :row_key comes back from the journal as text: cast it to the key column's type.
-- Parameters: :row_key :command_id :state :rtn_code :rtn_msg :reason :invoice_no :reply :now
UPDATE erp_invoice_outbox
SET ecpay_status = :state, ecpay_rtn_code = :rtn_code, ecpay_rtn_msg = :rtn_msg, ecpay_reason = :reason,
    invoice_no = :invoice_no, ecpay_updated_at = :now
WHERE outbox_id = CAST(:row_key AS INTEGER)
