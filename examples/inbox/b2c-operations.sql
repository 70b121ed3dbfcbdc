-- B2C operations of issue 12 as rows of ecpay_inbox (H2, PostgreSQL, MariaDB alike): the payload is ECPay's Data, with
-- lists (Items) and objects (VoidWithReIssue's VoidModel and IssueModel) as JSON inside it. An allowance has no key at
-- ECPay: its id is the ERP's own (here the return's number), and the same id is never sent twice.
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-return-R0001', 'B2CInvoice/Allowance', NULL,
   '{"InvoiceNo":"AB12345000","InvoiceDate":"2026-11-22","AllowanceNotify":"E","NotifyMail":"buyer1@example.com","AllowanceAmount":50,"Reason":"退回原子筆一支","Items":[{"ItemSeq":1,"ItemName":"原子筆","ItemCount":1,"ItemWord":"支","ItemPrice":50,"ItemTaxType":"1","ItemAmount":50}]}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-return-R0001-void', 'B2CInvoice/AllowanceInvalid', NULL,
   '{"InvoiceNo":"AB12345000","AllowanceNo":"2026112200000001","Reason":"客戶取消退貨"}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-reissue-AB12345000', 'B2CInvoice/VoidWithReIssue', '2000132',
   '{"VoidModel":{"InvoiceNo":"AB12345000","VoidReason":"買受人電話補登"},"IssueModel":{"RelateNumber":"ORD20261122001","InvoiceDate":"2026-11-22 10:00:00","CustomerEmail":"buyer1@example.com","CustomerPhone":"0912345678","Print":"0","Donation":"0","TaxType":"1","SalesAmount":100,"InvType":"07","Items":[{"ItemSeq":1,"ItemName":"原子筆","ItemCount":2,"ItemWord":"支","ItemPrice":50,"ItemTaxType":"1","ItemAmount":100}]}}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-check-love-168001', 'B2CInvoice/CheckLoveCode', NULL, '{"LoveCode":"168001"}');
