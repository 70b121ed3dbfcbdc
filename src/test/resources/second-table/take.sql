UPDATE pos_sale SET state = 'TAKEN', changed_at = :now WHERE sale_id = :row_key AND state = 'OPEN'
