-- Version 4: the group-commit write path (docs/write-path.md).
--  - pulse_apply_commands(jsonb array): a whole batch of commands as ONE statement, so one round
--    trip, one transaction and one commit for all of them. Commands run in array order; a refused
--    one (not_found / conflict) returns before it writes anything, so it neither writes nor
--    fails its neighbours. An unexpected error aborts the statement: the caller then runs the
--    batch's commands one by one to isolate the culprit.
--  - Seqs are taken at the very end of the batch by locking the counter row, which stays locked
--    until the statement commits. Across instances seq order is therefore commit order with no
--    holes, and once seq N is visible every lower seq is too; the lock is held for one commit
--    per batch, not one per command.
--  - The batch notifies `pulse_outbox` (delivered at commit) so the elected publisher wakes.
--  - Publishing is tracked by one cursor row (the last seq the publisher sent) instead of a
--    published_at per row: the publisher reads the outbox in seq order, so one number says it
--    all, and no outbox row is updated after its insert.
--  - Money rules: a withdrawal amount must be > 0; a cancellation whose toReceiver + toSender
--    exceeds the total is refused. Stream ids are restricted to [A-Za-z0-9._:-]{1,128}.

CREATE TYPE pulse_outcome AS ENUM ('created', 'unchanged', 'done', 'not_found', 'conflict');

-- What one command did, inside the batch (event IS NULL: nothing was written).
CREATE TYPE pulse_step AS (
    outcome   pulse_outcome,
    field     text,     -- the offending request field of not_found / conflict
    sender    text,
    receiver  text,
    amount    numeric,  -- the stream total
    withdrawn numeric,  -- after the command
    status    text,     -- after the command
    event     text,
    rooms     text[],
    data      jsonb
);

-- The prologue every command on an existing stream shares: lock the stream row (concurrent
-- commands on one stream serialize here and each sees the last state), refuse an unknown or a
-- canceled stream. outcome stays NULL when the command may go on.
CREATE FUNCTION pulse_lock_open_stream(p_stream_id text) RETURNS pulse_step
LANGUAGE plpgsql AS $$
DECLARE
    r pulse_step;
BEGIN
    SELECT s.sender, s.receiver, s.amount, s.withdrawn, s.status
      INTO r.sender, r.receiver, r.amount, r.withdrawn, r.status
      FROM streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
    IF NOT FOUND THEN
        r.outcome := 'not_found'; r.field := 'streamId';
    ELSIF r.status = 'CANCELED' THEN
        r.outcome := 'conflict'; r.field := 'streamId';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION pulse_step_create(c jsonb) RETURNS pulse_step
LANGUAGE plpgsql AS $$
DECLARE
    r pulse_step;
    v_id text := c->>'streamId';
    v_sender text := c->>'sender';
    v_receiver text := c->>'receiver';
    v_amount numeric := (c->>'amount')::numeric;
BEGIN
    -- Waits for a concurrent creator of the same id; then sees its row below.
    INSERT INTO streams (stream_id, sender, receiver, amount)
    VALUES (v_id, v_sender, v_receiver, v_amount)
    ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
        r.outcome := 'created';
        r.sender := v_sender; r.receiver := v_receiver; r.amount := v_amount;
        r.withdrawn := 0; r.status := 'ACTIVE';
        r.event := 'new-stream';
        r.rooms := pulse_new_stream_rooms(v_sender, v_receiver);
        r.data := jsonb_build_object('streamId', v_id, 'sender', v_sender,
                                     'receiver', v_receiver, 'amount', v_amount::text,
                                     'status', 'ACTIVE', 'timestamp', c->>'timestamp');
        RETURN r;
    END IF;
    SELECT s.sender, s.receiver, s.amount, s.withdrawn, s.status
      INTO r.sender, r.receiver, r.amount, r.withdrawn, r.status
      FROM streams s WHERE s.stream_id = v_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'stream % vanished during upsert', v_id;
    END IF;
    IF r.sender <> v_sender THEN
        r.outcome := 'conflict'; r.field := 'sender';
    ELSIF r.receiver <> v_receiver THEN
        r.outcome := 'conflict'; r.field := 'receiver';
    ELSIF r.amount <> v_amount THEN
        r.outcome := 'conflict'; r.field := 'amount';
    ELSE
        r.outcome := 'unchanged';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION pulse_step_withdraw(c jsonb) RETURNS pulse_step
LANGUAGE plpgsql AS $$
DECLARE
    r pulse_step;
    v_id text := c->>'streamId';
    v_amount numeric := (c->>'amount')::numeric;
BEGIN
    IF v_amount <= 0 THEN  -- the caller answers 400 before; kept as the rule's last line
        r.outcome := 'conflict'; r.field := 'amount';
        RETURN r;
    END IF;
    r := pulse_lock_open_stream(v_id);
    IF r.outcome IS NOT NULL THEN
        RETURN r;
    END IF;
    IF v_amount > r.amount - r.withdrawn THEN
        r.outcome := 'conflict'; r.field := 'amount';
        RETURN r;
    END IF;
    INSERT INTO withdrawals (stream_id, amount) VALUES (v_id, v_amount);
    UPDATE streams SET withdrawn = withdrawn + v_amount WHERE stream_id = v_id
    RETURNING withdrawn INTO r.withdrawn;
    r.outcome := 'done';
    r.event := 'balance-update';
    r.rooms := ARRAY[pulse_stream_room(r.receiver)];
    r.data := jsonb_build_object('address', r.receiver, 'newBalance', r.withdrawn::text,
                                 'timestamp', c->>'timestamp');
    RETURN r;
END
$$;

CREATE FUNCTION pulse_step_cancel(c jsonb) RETURNS pulse_step
LANGUAGE plpgsql AS $$
DECLARE
    r pulse_step;
    v_id text := c->>'streamId';
    v_to_receiver numeric := (c->>'toReceiver')::numeric;
    v_to_sender numeric := (c->>'toSender')::numeric;
BEGIN
    r := pulse_lock_open_stream(v_id);
    IF r.outcome IS NOT NULL THEN
        RETURN r;
    END IF;
    IF v_to_sender > r.amount THEN
        r.outcome := 'conflict'; r.field := 'toSender';
        RETURN r;
    END IF;
    IF v_to_receiver + v_to_sender > r.amount THEN
        r.outcome := 'conflict'; r.field := 'toReceiver';
        RETURN r;
    END IF;
    INSERT INTO cancellations (stream_id, to_receiver, to_sender)
    VALUES (v_id, v_to_receiver, v_to_sender);
    UPDATE streams SET status = 'CANCELED', closed_at = now() WHERE stream_id = v_id;
    r.outcome := 'done';
    r.status := 'CANCELED';
    r.event := 'new-stream';
    r.rooms := pulse_new_stream_rooms(r.sender, r.receiver);
    -- The event's amount is the part of the total that does not go back to the sender
    -- (total - toSender); when toReceiver + toSender < total the unallocated rest counts on the
    -- receiver's side (docs/write-path.md "Money rules").
    r.data := jsonb_build_object('streamId', v_id, 'sender', r.sender, 'receiver', r.receiver,
                                 'amount', (r.amount - v_to_sender)::text,
                                 'status', 'CANCELED', 'timestamp', c->>'timestamp');
    RETURN r;
END
$$;

-- p_commands: [{"op":"create"|"withdraw"|"cancel", "streamId":…, …, "timestamp":…}, …]
-- One result row per command, in array order (idx from 0); seq is set when an event was written.
CREATE FUNCTION pulse_apply_commands(p_commands jsonb)
RETURNS TABLE (idx integer, outcome pulse_outcome, field text, seq bigint, sender text,
               receiver text, amount text, withdrawn text, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    steps pulse_step[] := '{}';
    offsets integer[] := '{}';
    c jsonb;
    i integer := 0;
    n integer := 0;
    r pulse_step;
    v_last bigint;
BEGIN
    FOR c IN SELECT value FROM jsonb_array_elements(p_commands) LOOP
        i := i + 1;
        r := CASE c->>'op'
                 WHEN 'create' THEN pulse_step_create(c)
                 WHEN 'withdraw' THEN pulse_step_withdraw(c)
                 WHEN 'cancel' THEN pulse_step_cancel(c)
             END;
        IF r.outcome IS NULL THEN
            RAISE EXCEPTION 'unknown command op %', c->>'op';
        END IF;
        steps[i] := r;
        IF r.event IS NOT NULL THEN
            n := n + 1;
            offsets[i] := n;
        END IF;
    END LOOP;
    IF n > 0 THEN
        -- Last: the counter row lock is held from here to the commit.
        UPDATE pulse_outbox_counter SET last_seq = last_seq + n RETURNING last_seq INTO v_last;
        INSERT INTO pulse_outbox (seq, event, rooms, data)
        SELECT v_last - n + offsets[k], (steps[k]).event, (steps[k]).rooms, (steps[k]).data
          FROM generate_series(1, i) k WHERE offsets[k] IS NOT NULL ORDER BY k;
        PERFORM pg_notify('pulse_outbox', v_last::text);
    END IF;
    RETURN QUERY
    SELECT k - 1, (steps[k]).outcome, (steps[k]).field,
           CASE WHEN offsets[k] IS NULL THEN NULL ELSE v_last - n + offsets[k] END,
           (steps[k]).sender, (steps[k]).receiver, (steps[k]).amount::text,
           (steps[k]).withdrawn::text, (steps[k]).status
      FROM generate_series(1, i) k ORDER BY k;
END
$$;

-- The last seq the elected publisher has sent. Rows above it are sent (again) by whoever
-- publishes next; gateways drop a seq they already have.
CREATE TABLE pulse_publish_cursor (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL CHECK (last_seq >= 0)
);
INSERT INTO pulse_publish_cursor (only_row, last_seq)
SELECT true, COALESCE((SELECT min(seq) - 1 FROM pulse_outbox WHERE published_at IS NULL),
                      (SELECT last_seq FROM pulse_outbox_counter));

DROP INDEX pulse_outbox_unpublished;
ALTER TABLE pulse_outbox DROP COLUMN published_at;

-- The per-command functions of version 2 are replaced by the steps above (new money rules).
DROP FUNCTION pulse_create_stream(text, text, text, numeric, text);
DROP FUNCTION pulse_register_withdrawal(text, numeric, text);
DROP FUNCTION pulse_cancel_stream(text, numeric, numeric, text);
DROP FUNCTION pulse_append_outbox(text, text[], jsonb);
DROP TYPE pulse_command_result;

-- Stream ids: printable ASCII letters, digits and . _ : - only (no invisible or bidirectional
-- format characters such as U+202E). NOT VALID: rows written before this rule stay readable.
ALTER DOMAIN pulse_stream_id ADD CONSTRAINT pulse_stream_id_safe
    CHECK (VALUE ~ '^[A-Za-z0-9._:-]{1,128}$') NOT VALID;
