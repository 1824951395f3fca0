-- Version 7: consecutive creates are written by one set-based statement instead of one PL/pgSQL
-- call each (pulse_step_create: function entry, its statements, a composite result appended to
-- an array). At 32 creates per batch PostgreSQL's time per created stream went from 74 to 43 us
-- (pg_stat_statements, same session), and its CPU per delivery in scripts/bench --write at
-- 12,000 ev/s offered from 20.2 to 10.1 us (bench/RESULTS.md, docs/write-path.md).
-- Nothing else changes:
--  - commands run in array order: a run of creates is applied where it stands, before the
--    withdrawal or cancellation that follows it;
--  - a refused command writes nothing and takes no seq; seqs are taken last, under the counter
--    row lock, in command order;
--  - one result row per command, in array order.

-- What a run of creates did: one step per command, in order, and how many of them wrote an event.
CREATE TYPE pulse_run AS (steps pulse_step[], events integer);

-- A run of create commands (a jsonb array of them, every op 'create'): the new ids are inserted
-- by one statement, in array order. A create that inserted nothing (its id existed, or an earlier
-- create of the run took it) is then decided by pulse_step_create, which sees the row that won
-- and answers unchanged or conflict exactly as it does alone.
CREATE FUNCTION pulse_create_run(p_creates jsonb) RETURNS pulse_run
LANGUAGE plpgsql AS $$
DECLARE
    run pulse_run;
    step pulse_step;
    undecided integer;
    k integer;
BEGIN
    WITH c AS (
        SELECT x.k, x.id, x.sender, x.receiver, x.amount::numeric AS amount, x.ts,
               row_number() OVER (PARTITION BY x.id ORDER BY x.k) = 1 AS first_of_id
          FROM ROWS FROM (jsonb_to_recordset(p_creates)
                          AS ("streamId" text, sender text, receiver text, amount text,
                              "timestamp" text))
               WITH ORDINALITY AS x(id, sender, receiver, amount, ts, k)
    ), inserted AS (
        -- Waits for a concurrent creator of the same id; that command is then decided below.
        INSERT INTO streams (stream_id, sender, receiver, amount)
        SELECT c.id, c.sender, c.receiver, c.amount FROM c WHERE c.first_of_id ORDER BY c.k
        ON CONFLICT (stream_id) DO NOTHING
        RETURNING stream_id
    )
    SELECT array_agg(CASE WHEN i.stream_id IS NULL THEN NULL ELSE
               ROW('created', NULL, c.sender, c.receiver, c.amount, 0, 'ACTIVE', 'new-stream',
                   pulse_new_stream_rooms(c.sender, c.receiver),
                   jsonb_build_object('streamId', c.id, 'sender', c.sender,
                                      'receiver', c.receiver, 'amount', c.amount::text,
                                      'status', 'ACTIVE', 'timestamp', c.ts))::pulse_step
               END ORDER BY c.k),
           count(i.stream_id),
           count(*) FILTER (WHERE i.stream_id IS NULL)
      INTO run.steps, run.events, undecided
      FROM c LEFT JOIN inserted i ON c.first_of_id AND i.stream_id = c.id;
    IF undecided > 0 THEN
        -- In order (rare: a repeated or existing id); each sees the rows inserted above.
        FOR k IN SELECT g FROM generate_subscripts(run.steps, 1) g
                  WHERE run.steps[g] IS NULL ORDER BY g LOOP
            step := pulse_step_create(p_creates -> (k - 1));
            run.steps[k] := step;
            IF step.event IS NOT NULL THEN
                run.events := run.events + 1;
            END IF;
        END LOOP;
    END IF;
    run.steps := coalesce(run.steps, '{}');
    RETURN run;
END
$$;

-- Creates p_commands[p_from .. p_to] (from 0), all of them creates: one set-based statement for
-- a run of at least pulse_set_based_min() creates, one pulse_step_create call each below that,
-- where the set-based statement's fixed cost (a join, a window and a function scan to start)
-- is more than it saves.
CREATE FUNCTION pulse_set_based_min() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;

CREATE FUNCTION pulse_creates(p_commands jsonb, p_from integer, p_to integer) RETURNS pulse_run
LANGUAGE plpgsql AS $$
DECLARE
    run pulse_run;
    step pulse_step;
BEGIN
    IF p_to - p_from + 1 >= pulse_set_based_min() THEN
        IF p_from = 0 AND p_to = jsonb_array_length(p_commands) - 1 THEN
            RETURN pulse_create_run(p_commands);
        END IF;
        RETURN pulse_create_run(jsonb_path_query_array(
                   p_commands, format('$[%s to %s]', p_from, p_to)::jsonpath));
    END IF;
    run.steps := '{}';
    run.events := 0;
    FOR j IN p_from .. p_to LOOP
        step := pulse_step_create(p_commands -> j);
        run.steps := run.steps || step;
        IF step.event IS NOT NULL THEN
            run.events := run.events + 1;
        END IF;
    END LOOP;
    RETURN run;
END
$$;

-- p_notify: NOTIFY pulse_outbox at commit. The elected publisher of another instance needs it to
-- wake; an instance whose own publisher leads hands it the rows directly and passes false (the
-- NOTIFY cost PostgreSQL a signal and a wake-up of the listening session per batch). The
-- publisher reads the outbox once a poll period anyway, so a NOTIFY that is missing or lost
-- delays an event, never loses it.
DROP FUNCTION pulse_apply_commands(jsonb);
CREATE FUNCTION pulse_apply_commands(p_commands jsonb, p_notify boolean DEFAULT true)
RETURNS TABLE (idx integer, outcome pulse_outcome, field text, seq bigint, sender text,
               receiver text, amount text, withdrawn text, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    steps pulse_step[] := '{}';
    c jsonb;
    i integer := 0;
    run_from integer;  -- index (from 0) of the first create of the run being gathered
    r pulse_step;
    run pulse_run;
    n integer := 0;    -- commands that wrote an event
BEGIN
    -- The whole batch is creates (an op that is missing or not the string "create" sends the
    -- batch through the loop below, which refuses an unknown op).
    IF NOT jsonb_path_exists(p_commands,
                             '$[*] ? (!(@.op == "create") || @.op.type() != "string")') THEN
        -- One run from the first command to the last: written below, without the loop.
        run_from := 0;
        i := jsonb_array_length(p_commands);
    ELSE
        FOR c IN SELECT value FROM jsonb_array_elements(p_commands) LOOP
            IF c->>'op' = 'create' AND jsonb_typeof(c->'op') = 'string' THEN
                run_from := coalesce(run_from, i);
            ELSE
                IF run_from IS NOT NULL THEN
                    run := pulse_creates(p_commands, run_from, i - 1);
                    steps := steps || run.steps;
                    n := n + run.events;
                    run_from := NULL;
                END IF;
                r := CASE c->>'op'
                         WHEN 'withdraw' THEN pulse_step_withdraw(c)
                         WHEN 'cancel' THEN pulse_step_cancel(c)
                     END;
                IF r.outcome IS NULL THEN
                    RAISE EXCEPTION 'unknown command op %', c->>'op';
                END IF;
                steps := steps || r;
                IF r.event IS NOT NULL THEN
                    n := n + 1;
                END IF;
            END IF;
            i := i + 1;
        END LOOP;
    END IF;
    IF run_from IS NOT NULL THEN  -- the creates up to the last command
        run := pulse_creates(p_commands, run_from, i - 1);
        steps := steps || run.steps;
        n := n + run.events;
    END IF;
    -- One statement takes the seqs, writes the outbox, notifies and answers:
    --  - counter: last, its row lock is held from here to the commit; a batch without any
    --    event neither locks nor writes it. The NOTIFY (sent at commit) carries the last seq.
    --  - an event's seq: the events up to and including it, counted from the batch's first seq.
    RETURN QUERY
    WITH counter AS (
        UPDATE pulse_outbox_counter SET last_seq = last_seq + n WHERE n > 0
        RETURNING last_seq,
                  CASE WHEN p_notify THEN pg_notify('pulse_outbox', last_seq::text) END
    ), s AS (
        SELECT st.*,
               CASE WHEN st.event IS NULL THEN NULL
                    ELSE (SELECT counter.last_seq FROM counter) - n
                         + count(st.event) OVER (ORDER BY st.k) END AS seq
          FROM unnest(steps) WITH ORDINALITY
               AS st(outcome, field, sender, receiver, amount, withdrawn, status, event, rooms,
                     data, k)
    ), written AS (
        INSERT INTO pulse_outbox (seq, event, rooms, data)
        SELECT s.seq, s.event, s.rooms, s.data FROM s WHERE s.seq IS NOT NULL ORDER BY s.k
    )
    SELECT (s.k - 1)::integer, s.outcome, s.field, s.seq, s.sender, s.receiver,
           s.amount::text, s.withdrawn::text, s.status
      FROM s
     ORDER BY s.k;
END
$$;
