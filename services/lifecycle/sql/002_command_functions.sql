-- Version 2: each command as one PL/pgSQL function, so a request is one round trip in autocommit
-- (it used to be BEGIN, 2-3 statements and COMMIT: every round trip is a send/recv, two context
-- switches and PostgreSQL statement overhead). A function runs as one statement: its writes,
-- the seq and the outbox row commit together or not at all.
--  - Lock order: the stream row first (INSERT or SELECT ... FOR UPDATE), the outbox counter row
--    last (pulse_append_outbox), so two commands never wait on each other in a cycle; the counter
--    lock is held to the end of the statement's transaction, so seq order is commit order and
--    there are no gaps.
--  - A client mistake (unknown stream, conflict, canceled, beyond the total) returns before any
--    write with outcome 'not_found' / 'conflict' and the offending field; the caller maps it to
--    404/409. Success is 'created' / 'unchanged' (create) or 'done'.
--  - The outbox row's `data` is built here (jsonb: its key order is jsonb's, as on every replay);
--    the live message is built by the caller from the returned values with the payload key order of proto/.
--    The timestamp comes from the caller so both carry the same one.
--  - Rooms: 'stream-' || address, the rule of pulse/stream_room.hpp.
-- Amount arithmetic is NUMERIC (exact); inputs are already validated as i128 by the caller.
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
