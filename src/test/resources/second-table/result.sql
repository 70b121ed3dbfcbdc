UPDATE pos_sale SET state = :state, rtn_code = :rtn_code, note = :reason, invoice = :invoice_no, changed_at = :now
WHERE sale_id = CAST(:row_key AS INTEGER)
