SELECT sale_id AS row_key, 'B2CInvoice/Issue' AS operation, receipt_no AS RelateNumber, email AS CustomerEmail,
       '0' AS Print, '0' AS Donation, '1' AS TaxType, '07' AS InvType, amount AS SalesAmount, lines_json AS Items
FROM pos_sale WHERE state = 'OPEN' ORDER BY sale_id
