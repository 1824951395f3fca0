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
-- or more creates (a run below three keeps one step per create, as in version 7), and one more
-- function call. Version 7's function is kept, renamed, as that fallback.
ALTER FUNCTION pulse_create_run(jsonb) RENAME TO pulse_create_run_v7;

CREATE FUNCTION pulse_create_run(p_creates jsonb) RETURNS pulse_run
LANGUAGE plpgsql AS $$
DECLARE
    run pulse_run;
BEGIN
    -- Every id new (the common case): one INSERT, every command created. A data-modifying CTE
    -- runs to completion whether or not the query reads it.
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
    SELECT coalesce(array_agg(ROW('created', NULL, c.sender, c.receiver, c.amount, 0, 'ACTIVE',
                                  'new-stream', pulse_new_stream_rooms(c.sender, c.receiver),
                                  jsonb_build_object('streamId', c.id, 'sender', c.sender,
                                                     'receiver', c.receiver,
                                                     'amount', c.amount::text,
                                                     'status', 'ACTIVE', 'timestamp', c.ts)
                                 )::pulse_step ORDER BY c.k), '{}'),
           count(*)
      INTO run.steps, run.events
      FROM c;
    RETURN run;
EXCEPTION WHEN unique_violation THEN
    -- A taken id: nothing above was kept; version 7 decides each command.
    RETURN pulse_create_run_v7(p_creates);
END
$$;
