-- A second ERP table beside examples/erp-outbox: a point-of-sale system's sales to invoice, other names throughout.
CREATE TABLE pos_sale (
    sale_id     INTEGER        NOT NULL PRIMARY KEY,
    receipt_no  VARCHAR(30)    NOT NULL,
    email       VARCHAR(80),
    amount      DECIMAL(12, 0) NOT NULL,
    lines_json  VARCHAR(4000)  NOT NULL,
    state       VARCHAR(12)    DEFAULT 'OPEN' NOT NULL,
    note        VARCHAR(1000),
    rtn_code    INTEGER,
    invoice     VARCHAR(10),
    changed_at  TIMESTAMP NULL
);
