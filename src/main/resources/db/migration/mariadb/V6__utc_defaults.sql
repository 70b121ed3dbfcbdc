-- Every time the product writes is UTC; the inbox's insertion time, filled in by the database, is now UTC too
-- (CURRENT_TIMESTAMP is the session's local time, which made created_at and taken_at disagree on a UTC+8 host).
ALTER TABLE ecpay_inbox MODIFY created_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3);

-- Ids compare exactly, as on PostgreSQL and H2: utf8mb4's default collation would take ERP-a1 and ERP-A1 for one command.
ALTER TABLE ecpay_command MODIFY id VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE ecpay_inbox MODIFY id VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
