-- Worked example of a mapped SQL source: an ERP's own outbox of invoices to issue (H2, PostgreSQL and MariaDB).
-- The ERP inserts a row per order with ecpay_status 'PENDING'; the product fills the ecpay_* columns and invoice_no.
CREATE TABLE erp_invoice_outbox (
    outbox_id        INTEGER        NOT NULL PRIMARY KEY,
    order_no         VARCHAR(30)    NOT NULL,          -- becomes RelateNumber (letters, digits, '-', '_')
    shop_merchant_id VARCHAR(10),                      -- NULL: the configured merchant
    customer_email   VARCHAR(80),
    customer_phone   VARCHAR(20),
    total_amount     DECIMAL(12, 0) NOT NULL,
    items_json       VARCHAR(4000)  NOT NULL,          -- [{"ItemName":"...","ItemCount":1,"ItemWord":"...","ItemPrice":100,"ItemAmount":100}]
    ecpay_status     VARCHAR(12)    DEFAULT 'PENDING' NOT NULL, -- PENDING, TAKEN, REJECTED, then SUCCEEDED, RETRY, UNKNOWN, DEAD
    ecpay_reason     VARCHAR(1000),
    ecpay_rtn_code   INTEGER,
    ecpay_rtn_msg    VARCHAR(1000),
    invoice_no       VARCHAR(10),
    ecpay_updated_at TIMESTAMP NULL
);
CREATE INDEX erp_invoice_outbox_pending ON erp_invoice_outbox (ecpay_status, outbox_id);
