-- Marks a row that is not a valid command rejected, with the plain-language reason.
UPDATE ecpay_inbox
SET status = 'REJECTED', reason = :reason, taken_at = :now
WHERE id = :row_key AND status = 'NEW'
