-- The ERP table the Java DSL route routes/IssuedInvoicesToErp.java writes (H2, PostgreSQL and MariaDB).
-- One row per issued invoice, keyed by the command id: a channel message delivered twice is written once.
CREATE TABLE erp_issued_invoice (
    command_id     VARCHAR(200) NOT NULL PRIMARY KEY,
    merchant_id    VARCHAR(10)  NOT NULL,
    operation      VARCHAR(60)  NOT NULL,
    relate_number  VARCHAR(50),
    invoice_no     VARCHAR(10)  NOT NULL,
    invoice_date   VARCHAR(20),
    random_number  VARCHAR(4),
    completed_at   VARCHAR(40)  NOT NULL
);
