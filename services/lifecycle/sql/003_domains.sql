-- Version 3: the single-column CHECK constraints become domains. A table CHECK is rebuilt from
-- its stored text (stringToNode) and compiled again for every statement that writes the table,
-- and every command writes three tables: that was the largest user-space cost in PostgreSQL's
-- profile (pg_strtok, nodeRead, strtoll). A domain's constraints are parsed once per backend
-- (type cache). The rules are the same; only the two checks that relate columns stay table
-- CHECKs.
CREATE DOMAIN pulse_address AS text CHECK (VALUE ~ '^[GMC][A-Z2-7]{55}([A-Z2-7]{13})?$');
CREATE DOMAIN pulse_stream_id AS text CHECK (length(VALUE) BETWEEN 1 AND 128);
CREATE DOMAIN pulse_amount AS numeric(39,0) CHECK (VALUE >= 0);
CREATE DOMAIN pulse_stream_status AS text CHECK (VALUE IN ('ACTIVE', 'CANCELED'));
CREATE DOMAIN pulse_seq AS bigint CHECK (VALUE > 0);
CREATE DOMAIN pulse_last_seq AS bigint CHECK (VALUE >= 0);
CREATE DOMAIN pulse_event_name AS text CHECK (VALUE <> '');
CREATE DOMAIN pulse_rooms AS text[] CHECK (cardinality(VALUE) >= 1);
CREATE DOMAIN pulse_event_data AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');
CREATE DOMAIN pulse_true AS boolean CHECK (VALUE);

ALTER TABLE streams DROP CONSTRAINT streams_stream_id_check,
                    DROP CONSTRAINT streams_sender_check,
                    DROP CONSTRAINT streams_receiver_check,
                    DROP CONSTRAINT streams_amount_check,
                    DROP CONSTRAINT streams_status_check,
                    ALTER COLUMN stream_id TYPE pulse_stream_id,
                    ALTER COLUMN sender TYPE pulse_address,
                    ALTER COLUMN receiver TYPE pulse_address,
                    ALTER COLUMN amount TYPE pulse_amount,
                    ALTER COLUMN status TYPE pulse_stream_status;
-- withdrawn >= 0 AND withdrawn <= amount, and status/closed_at agreement, stay table CHECKs.

ALTER TABLE withdrawals DROP CONSTRAINT withdrawals_amount_check,
                        ALTER COLUMN amount TYPE pulse_amount;
ALTER TABLE cancellations DROP CONSTRAINT cancellations_to_receiver_check,
                          DROP CONSTRAINT cancellations_to_sender_check,
                          ALTER COLUMN to_receiver TYPE pulse_amount,
                          ALTER COLUMN to_sender TYPE pulse_amount;
ALTER TABLE pulse_outbox_counter DROP CONSTRAINT pulse_outbox_counter_only_row_check,
                                 DROP CONSTRAINT pulse_outbox_counter_last_seq_check,
                                 ALTER COLUMN only_row TYPE pulse_true,
                                 ALTER COLUMN last_seq TYPE pulse_last_seq;
ALTER TABLE pulse_outbox DROP CONSTRAINT pulse_outbox_seq_check,
                         DROP CONSTRAINT pulse_outbox_event_check,
                         DROP CONSTRAINT pulse_outbox_rooms_check,
                         DROP CONSTRAINT pulse_outbox_data_check,
                         ALTER COLUMN seq TYPE pulse_seq,
                         ALTER COLUMN event TYPE pulse_event_name,
                         ALTER COLUMN rooms TYPE pulse_rooms,
                         ALTER COLUMN data TYPE pulse_event_data;
