-- Direct SQL intake: the pending rows of ecpay_inbox, oldest first (the batch size caps how many per poll).
SELECT id, operation, merchant_id, payload
FROM ecpay_inbox
WHERE status = 'NEW'
ORDER BY created_at, id
