-- One row per dropped file (local folder or SFTP) once its lines are journaled, so that its result and rejects
-- files can be written when all its commands are final. source_name matches ecpay_command.source_name.
CREATE TABLE ecpay_intake_file (
    source_name     VARCHAR(255)  NOT NULL PRIMARY KEY,   -- archive name: <received stamp>-<dropped name>
    source_kind     VARCHAR(10)   NOT NULL,               -- file, sftp
    original_name   VARCHAR(255)  NOT NULL,               -- the name it was dropped under
    archive_path    VARCHAR(1000) NOT NULL,               -- local copy that results are written beside
    format          VARCHAR(10)   NOT NULL,               -- jsonl, csv
    charset         VARCHAR(20)   NOT NULL,
    line_count      BIGINT        NOT NULL,               -- non-blank lines (CSV: without the header)
    inserted_count  BIGINT        NOT NULL,
    duplicate_count BIGINT        NOT NULL,
    rejected_count  BIGINT        NOT NULL,
    state           VARCHAR(12)   NOT NULL,               -- INTAKEN, REPORTING, REPORTED
    received_at     TIMESTAMP(3)  NOT NULL,
    updated_at      TIMESTAMP(3)  NOT NULL
);
CREATE INDEX ecpay_intake_file_state ON ecpay_intake_file (state);
