UPDATE pos_sale SET state = 'REJECTED', note = :reason, changed_at = :now WHERE sale_id = :row_key AND state = 'OPEN'
