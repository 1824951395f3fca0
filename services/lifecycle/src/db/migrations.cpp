#include <pqxx/pqxx>

#include "db/migrations.hpp"

#include <set>

#include <pqxx/transaction>

namespace pulse::lifecycle::db {
namespace {

// Any constant works as long as every instance uses the same one.
constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock(7420113520261126)";

constexpr const char* kCreateMigrationsTable = R"SQL(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
))SQL";

constexpr const char* kAppliedVersions = "SELECT version FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";

// Version 1: the domain tables and the outbox. Amounts are NUMERIC(39,0) (i128 fits), and the
// checks make impossible states unrepresentable even if application code has a bug.
constexpr const char* kV1Schema = R"SQL(
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
)SQL";

// Version 2: each command as one PL/pgSQL function, so a request is one round trip in autocommit
// (it used to be BEGIN, 2-3 statements and COMMIT: every round trip is a send/recv, two context
// switches and PostgreSQL statement overhead). A function runs as one statement: its writes,
// the seq and the outbox row commit together or not at all.
//  - Lock order: the stream row first (INSERT or SELECT ... FOR UPDATE), the outbox counter row
//    last (pulse_append_outbox), so two commands never wait on each other in a cycle; the counter
//    lock is held to the end of the statement's transaction, so seq order is commit order and
//    there are no gaps.
//  - A client mistake (unknown stream, conflict, canceled, beyond the total) returns before any
//    write with outcome 'not_found' / 'conflict' and the offending field; the caller maps it to
//    404/409. Success is 'created' / 'unchanged' (create) or 'done'.
//  - The outbox row's `data` is built here (jsonb: its key order is jsonb's, as on every replay);
//    the live message is built by the caller from the returned values with the spec's key order.
//    The timestamp comes from the caller so both carry the same one.
//  - Rooms: 'stream-' || address, the rule of pulse/stream_room.hpp.
// Amount arithmetic is NUMERIC (exact); inputs are already validated as i128 by the caller.
constexpr const char* kV2CommandFunctions = R"SQL(
CREATE TYPE pulse_command_result AS (
    outcome   text,    -- created | unchanged | done | not_found | conflict
    field     text,    -- the offending request field of not_found / conflict
    seq       bigint,  -- the event's seq when one was written
    sender    text,
    receiver  text,
    amount    text,    -- the stream total
    withdrawn text,    -- after the command
    status    text     -- after the command
);

CREATE FUNCTION pulse_stream_room(address text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'stream-' || address $$;

CREATE FUNCTION pulse_new_stream_rooms(sender text, receiver text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN sender = receiver THEN ARRAY[pulse_stream_room(sender)]
                ELSE ARRAY[pulse_stream_room(sender), pulse_stream_room(receiver)] END
$$;

-- Takes the next seq (counter row locked until commit) and inserts the event. Call it last.
CREATE FUNCTION pulse_append_outbox(p_event text, p_rooms text[], p_data jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_seq bigint;
BEGIN
    UPDATE pulse_outbox_counter SET last_seq = last_seq + 1 RETURNING last_seq INTO v_seq;
    INSERT INTO pulse_outbox (seq, event, rooms, data) VALUES (v_seq, p_event, p_rooms, p_data);
    RETURN v_seq;
END
$$;

CREATE FUNCTION pulse_create_stream(p_stream_id text, p_sender text, p_receiver text,
                                    p_amount numeric, p_timestamp text)
RETURNS pulse_command_result LANGUAGE plpgsql AS $$
DECLARE
    r pulse_command_result;
    s streams%ROWTYPE;
BEGIN
    -- Waits for a concurrent creator of the same id; then sees its row below.
    INSERT INTO streams (stream_id, sender, receiver, amount)
    VALUES (p_stream_id, p_sender, p_receiver, p_amount)
    ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
        r.outcome := 'created';
        r.sender := p_sender;
        r.receiver := p_receiver;
        r.amount := p_amount::text;
        r.withdrawn := '0';
        r.status := 'ACTIVE';
        r.seq := pulse_append_outbox('new-stream', pulse_new_stream_rooms(p_sender, p_receiver),
                     jsonb_build_object('streamId', p_stream_id, 'sender', p_sender,
                                        'receiver', p_receiver, 'amount', r.amount,
                                        'status', r.status, 'timestamp', p_timestamp));
        RETURN r;
    END IF;
    SELECT * INTO s FROM streams WHERE stream_id = p_stream_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'stream % vanished during upsert', p_stream_id;
    END IF;
    r.sender := s.sender;
    r.receiver := s.receiver;
    r.amount := s.amount::text;
    r.withdrawn := s.withdrawn::text;
    r.status := s.status;
    IF s.sender <> p_sender THEN
        r.outcome := 'conflict'; r.field := 'sender';
    ELSIF s.receiver <> p_receiver THEN
        r.outcome := 'conflict'; r.field := 'receiver';
    ELSIF s.amount <> p_amount THEN
        r.outcome := 'conflict'; r.field := 'amount';
    ELSE
        r.outcome := 'unchanged';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION pulse_register_withdrawal(p_stream_id text, p_amount numeric, p_timestamp text)
RETURNS pulse_command_result LANGUAGE plpgsql AS $$
DECLARE
    r pulse_command_result;
    s streams%ROWTYPE;
    v_withdrawn numeric;
BEGIN
    -- FOR UPDATE: concurrent withdrawals on one stream serialize here, each sees the last total.
    SELECT * INTO s FROM streams WHERE stream_id = p_stream_id FOR UPDATE;
    IF NOT FOUND THEN
        r.outcome := 'not_found'; r.field := 'streamId';
        RETURN r;
    END IF;
    r.sender := s.sender;
    r.receiver := s.receiver;
    r.amount := s.amount::text;
    r.withdrawn := s.withdrawn::text;
    r.status := s.status;
    IF s.status = 'CANCELED' THEN
        r.outcome := 'conflict'; r.field := 'streamId';
        RETURN r;
    END IF;
    IF p_amount > s.amount - s.withdrawn THEN
        r.outcome := 'conflict'; r.field := 'amount';
        RETURN r;
    END IF;
    INSERT INTO withdrawals (stream_id, amount) VALUES (p_stream_id, p_amount);
    UPDATE streams SET withdrawn = withdrawn + p_amount WHERE stream_id = p_stream_id
    RETURNING withdrawn INTO v_withdrawn;
    r.outcome := 'done';
    r.withdrawn := v_withdrawn::text;
    r.seq := pulse_append_outbox('balance-update', ARRAY[pulse_stream_room(s.receiver)],
                 jsonb_build_object('address', s.receiver, 'newBalance', r.withdrawn,
                                    'timestamp', p_timestamp));
    RETURN r;
END
$$;

CREATE FUNCTION pulse_cancel_stream(p_stream_id text, p_to_receiver numeric, p_to_sender numeric,
                                    p_timestamp text)
RETURNS pulse_command_result LANGUAGE plpgsql AS $$
DECLARE
    r pulse_command_result;
    s streams%ROWTYPE;
BEGIN
    SELECT * INTO s FROM streams WHERE stream_id = p_stream_id FOR UPDATE;
    IF NOT FOUND THEN
        r.outcome := 'not_found'; r.field := 'streamId';
        RETURN r;
    END IF;
    r.sender := s.sender;
    r.receiver := s.receiver;
    r.amount := s.amount::text;
    r.withdrawn := s.withdrawn::text;
    r.status := s.status;
    IF s.status = 'CANCELED' THEN
        r.outcome := 'conflict'; r.field := 'streamId';
        RETURN r;
    END IF;
    IF p_to_sender > s.amount THEN
        r.outcome := 'conflict'; r.field := 'toSender';
        RETURN r;
    END IF;
    INSERT INTO cancellations (stream_id, to_receiver, to_sender)
    VALUES (p_stream_id, p_to_receiver, p_to_sender);
    UPDATE streams SET status = 'CANCELED', closed_at = now() WHERE stream_id = p_stream_id;
    r.outcome := 'done';
    r.status := 'CANCELED';
    -- The event's amount is what the receiver's side of the stream comes to: total - toSender.
    r.seq := pulse_append_outbox('new-stream', pulse_new_stream_rooms(s.sender, s.receiver),
                 jsonb_build_object('streamId', p_stream_id, 'sender', s.sender,
                                    'receiver', s.receiver,
                                    'amount', (s.amount - p_to_sender)::text,
                                    'status', r.status, 'timestamp', p_timestamp));
    RETURN r;
END
$$;
)SQL";

// Version 3: the single-column CHECK constraints become domains. A table CHECK is rebuilt from
// its stored text (stringToNode) and compiled again for every statement that writes the table,
// and every command writes three tables: that was the largest user-space cost in PostgreSQL's
// profile (pg_strtok, nodeRead, strtoll). A domain's constraints are parsed once per backend
// (type cache). The rules are the same; only the two checks that relate columns stay table
// CHECKs.
constexpr const char* kV3Domains = R"SQL(
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
)SQL";

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "streams, withdrawals, cancellations, outbox", kV1Schema},
        {2, "one function per command (one round trip each)", kV2CommandFunctions},
        {3, "single-column checks as domains (parsed once per backend)", kV3Domains},
    };
    return all;
}

MigrationReport migrate(pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec(kLockMigrations);
    tx.exec(kCreateMigrationsTable);
    std::set<int> done;
    for (const auto& row : tx.exec(kAppliedVersions)) done.insert(row[0].as<int>());
    MigrationReport report;
    for (const auto& m : migrations()) {
        if (done.count(m.version)) continue;
        tx.exec(m.sql);
        tx.exec_params(kRecordMigration, m.version, m.name);
        report.applied.push_back(m.version);
        done.insert(m.version);
    }
    report.current = done.empty() ? 0 : *done.rbegin();
    tx.commit();
    return report;
}

}  // namespace pulse::lifecycle::db
