-- What a SUCCEEDED outcome rests on: REPLY (a success code), ALREADY_DONE_ANSWER, LOOKUP (a duplicate-key answer
-- after a possibly sent attempt, adopted after the lookup showed the same content) or LOOKUP_WITHOUT_RECORD (the same,
-- with no earlier attempt on record: flagged for the operator).
ALTER TABLE ecpay_command ADD COLUMN evidence VARCHAR(30);
