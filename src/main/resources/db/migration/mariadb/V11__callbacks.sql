-- ECPay's calls back to us (docs/callbacks.md): one row per form POST received on a callback path that was a form at
-- all. verified: its CheckMacValue matched a configured merchant's keys; an unverified row keeps what was refused
-- (refusal) and is never matched to a command. fields: the form as JSON without CheckMacValue; never a key.
CREATE TABLE ecpay_callback (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_at    DATETIME(3)   NOT NULL,               -- UTC
    kind           VARCHAR(30)   NOT NULL,               -- DelayIssue, AllowanceByCollegiate
    merchant_id    VARCHAR(10),                          -- the merchant whose keys verified it (or the MerchantID it named)
    command_id     VARCHAR(100)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, -- the command that asked for it, when found
    tsr            VARCHAR(30),
    relate_number  VARCHAR(50),
    invoice_no     VARCHAR(20),
    allowance_no   VARCHAR(20),
    rtn_code       VARCHAR(20),
    verified       BOOLEAN       NOT NULL,
    refusal        VARCHAR(200),                         -- which check failed (unverified rows)
    fields         LONGTEXT      NOT NULL,
    remote_address VARCHAR(100)
) DEFAULT CHARSET = utf8mb4;
CREATE INDEX ecpay_callback_command ON ecpay_callback (command_id, id);
CREATE INDEX ecpay_callback_received ON ecpay_callback (received_at);

-- A callback names its command by Tsr, RelateNumber or AllowanceNo, which sit in the payload or reply JSON: the
-- search reads the commands of the callback's operation and merchant newest first, and stops at the first that
-- matches (a callback follows its command by days, not years).
CREATE INDEX ecpay_command_operation ON ecpay_command (operation, merchant_id, created_at);
