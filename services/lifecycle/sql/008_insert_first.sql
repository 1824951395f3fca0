-- Version 8: a run of creates first tries a plain INSERT of every command, and takes version 7's
-- statement only when that fails on a stream id that is taken (an existing stream, or the same
-- id twice in the run: a retried or conflicting create, the rare case).
-- Why: ON CONFLICT probes the primary key before each insert and takes a speculative insertion
-- lock, and version 7's statement then numbers the ids (a window over a sort) and joins the
-- inserted rows back to the commands to learn which ones inserted. When every id is new, none
-- of that decides anything: every command inserted. At 256 creates per call the plain INSERT
-- cost PostgreSQL 3.3 ms against 5.0 ms with ON CONFLICT (docs/write-path.md).
-- The results, rows and errors are version 7's (set_based_creates_test runs both against
-- version 6 on random batches): the fast statement inserts in command order and fails whole, so
-- nothing it did survives a fallback; an error other than a taken id is the error version 7
-- raises too, from the same INSERT of the same row.
-- Cost of the fallback: the EXCEPTION block is a subtransaction, entered once per run of three
-- or more creates (a run below three keeps one step per create, as in version 7).
CREATE OR REPLACE FUNCTION pulse_create_run(p_creates jsonb) RETURNS pulse_run
LANGUAGE plpgsql AS $$
DECLARE
    run pulse_run;
    step pulse_step;
    undecided integer;
    k integer;
BEGIN
    BEGIN
        -- Every id new (the common case): one INSERT, every command created. A data-modifying
        -- CTE runs to completion whether or not the query reads it.
        WITH c AS (
            SELECT x.k, x.id, x.sender, x.receiver, x.amount::numeric AS amount, x.ts
              FROM ROWS FROM (jsonb_to_recordset(p_creates)
                              AS ("streamId" text, sender text, receiver text, amount text,
                                  "timestamp" text))
                   WITH ORDINALITY AS x(id, sender, receiver, amount, ts, k)
        ), inserted AS (
            INSERT INTO streams (stream_id, sender, receiver, amount)
            SELECT c.id, c.sender, c.receiver, c.amount FROM c ORDER BY c.k
        )
        SELECT array_agg(ROW('created', NULL, c.sender, c.receiver, c.amount, 0, 'ACTIVE',
                             'new-stream', pulse_new_stream_rooms(c.sender, c.receiver),
                             jsonb_build_object('streamId', c.id, 'sender', c.sender,
                                                'receiver', c.receiver, 'amount', c.amount::text,
                                                'status', 'ACTIVE', 'timestamp', c.ts))::pulse_step
                         ORDER BY c.k),
               count(*)
          INTO run.steps, run.events
          FROM c;
        run.steps := coalesce(run.steps, '{}');
        RETURN run;
    EXCEPTION WHEN unique_violation THEN
        NULL;  -- a taken id: nothing above was kept; version 7's statement decides each command
    END;
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
        -- In order; each sees the rows inserted above.
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
