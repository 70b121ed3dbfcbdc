-- Maps the ERP's columns to a B2CInvoice/Issue command. Column names (any case) that are ECPay Data fields become
-- those fields; operation, merchant_id, row_key (the ERP row's key) and id (optional) are the command's envelope.
-- No id: the command id is the business key, B2CInvoice/Issue:<MerchantID>:<RelateNumber>, so a re-queued order is not issued twice.
SELECT outbox_id          AS row_key,
       'B2CInvoice/Issue' AS operation,
       shop_merchant_id   AS merchant_id,
       order_no           AS RelateNumber,
       customer_email     AS CustomerEmail,
       customer_phone     AS CustomerPhone,
       '0'                AS Print,
       '0'                AS Donation,
       '1'                AS TaxType,
       '07'               AS InvType,
       total_amount       AS SalesAmount,
       items_json         AS Items
FROM erp_invoice_outbox
WHERE ecpay_status = 'PENDING'
ORDER BY outbox_id
