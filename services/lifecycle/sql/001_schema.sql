-- Version 1: the domain tables and the outbox. Amounts are NUMERIC(39,0) (i128 fits), and the
-- checks make impossible states unrepresentable even if application code has a bug.
CREATE TABLE pulse_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
-- The epoch names this database: a gateway that sees it change knows seqs restarted elsewhere.
INSERT INTO pulse_meta (key, value) VALUES ('epoch', gen_random_uuid()::text);

CREATE TABLE streams (
    stream_id  text PRIMARY KEY CHECK (length(stream_id) BETWEEN 1 AND 128),
    sender     text NOT NULL CHECK (sender ~ '^[GMC][A-Z2-7]{55}([A-Z2-7]{13})?$'),
    receiver   text NOT NULL CHECK (receiver ~ '^[GMC][A-Z2-7]{55}([A-Z2-7]{13})?$'),
    amount     numeric(39,0) NOT NULL CHECK (amount >= 0),
    withdrawn  numeric(39,0) NOT NULL DEFAULT 0 CHECK (withdrawn >= 0 AND withdrawn <= amount),
    status     text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CANCELED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz,
    CHECK ((status = 'CANCELED') = (closed_at IS NOT NULL))
);

CREATE TABLE withdrawals (
    id         bigserial PRIMARY KEY,
    stream_id  text NOT NULL REFERENCES streams (stream_id),
    amount     numeric(39,0) NOT NULL CHECK (amount >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX withdrawals_by_stream ON withdrawals (stream_id);

CREATE TABLE cancellations (
    stream_id   text PRIMARY KEY REFERENCES streams (stream_id),
    to_receiver numeric(39,0) NOT NULL CHECK (to_receiver >= 0),
    to_sender   numeric(39,0) NOT NULL CHECK (to_sender >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row: the last seq handed out. Taking the next seq by updating it inside the transaction
-- serializes event-producing transactions, so seq order is commit order and rolled-back
-- transactions leave no hole (a plain bigserial guarantees neither).
CREATE TABLE pulse_outbox_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL CHECK (last_seq >= 0)
);
INSERT INTO pulse_outbox_counter (only_row, last_seq) VALUES (true, 0);

CREATE TABLE pulse_outbox (
    seq          bigint PRIMARY KEY CHECK (seq > 0),
    event        text NOT NULL CHECK (event <> ''),
    rooms        text[] NOT NULL CHECK (cardinality(rooms) >= 1),
    data         jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX pulse_outbox_unpublished ON pulse_outbox (seq) WHERE published_at IS NULL;
