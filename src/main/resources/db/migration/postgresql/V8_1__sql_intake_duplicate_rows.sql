-- Rows of a SQL source that map to a command journaled before from another row (the same order twice, a re-queued
-- order): the row is taken, and the command's outcome is written back to it as to the first row
-- (routes/intake-sql.camel.yaml, route intake-sql-results-duplicates). reported_state: the state last written back.
CREATE TABLE ecpay_sql_duplicate_row (
    source_name    VARCHAR(100) NOT NULL,
    row_key        VARCHAR(200) NOT NULL,
    command_id     VARCHAR(100) NOT NULL,
    taken_at       TIMESTAMP(3)   NOT NULL,
    reported_state VARCHAR(12),
    PRIMARY KEY (source_name, row_key)
);
CREATE INDEX ecpay_sql_duplicate_row_command ON ecpay_sql_duplicate_row (command_id);
