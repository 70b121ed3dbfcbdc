-- One insert per seed operation into ecpay_inbox (H2, PostgreSQL, MariaDB alike). The ERP writes id, operation,
-- merchant_id (NULL: the configured merchant) and payload (ECPay's Data as a JSON object, MerchantID may be left out).
-- id is the command's idempotency key: inserting the same id twice is refused by the primary key.
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-track-2024-1', 'B2CInvoice/UpdateInvoiceWordStatus', '2000132', '{"TrackID":"1234567890","InvoiceStatus":2}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-cancel-DL0001', 'B2CInvoice/CancelDelayIssue', '2000132', '{"Tsr":"DL0001"}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-trigger-DL0002', 'B2CInvoice/TriggerIssue', '2000132', '{"Tsr":"DL0002","PayType":"2"}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-getinvalid-AB12345678', 'B2CInvoice/GetInvalid', NULL,
   '{"RelateNumber":"ORDER20240115001","InvoiceNo":"AB12345678","InvoiceDate":"2024-01-15"}');
INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES
  ('erp-b2b-confirm-AB12345679', 'B2BInvoice/IssueConfirm', '2000132',
   '{"InvoiceNumber":"AB12345679","InvoiceDate":"2024-01-15","Remark":"已收到，確認開立"}');
