-- A batch of creates of new, distinct ids as one plain statement (db::create_streams, prepared
-- on every writer connection; $1: the batch, a JSON array of create commands; $2: notify). It
-- writes and answers what pulse_apply_commands does for such a batch (sql/008's plain INSERT,
-- then sql/007's seqs, outbox rows and result rows), without its PL/pgSQL: the calls, the array
-- of composite steps, the subtransaction of the EXCEPTION block, the jsonpath scan of the ops.
-- PostgreSQL's CPU per create, against the function on one durable cluster (medians of 3):
-- 46 -> 36 us at 256 per batch, 88 -> 58 at 8, 152 -> 116 at 3 (docs/write-path.md).
--  - `inserted` is read by `counter`, so every stream row is in before the counter row is
--    locked: the lock is held for the commit alone, as in the function, and never while this
--    statement waits for another transaction's uncommitted stream id.
--  - A taken or repeated id fails the INSERT (unique_violation) and with it the whole
--    statement: nothing is written, and the caller runs the batch through the function.
--  - The payload is built as sql/009 builds it (json, the live event's key order).
WITH c AS (
    SELECT x.k, x.id, x.sender, x.receiver, x.amount::numeric AS amount, x.ts
      FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                      AS ("streamId" text, sender text, receiver text, amount text,
                          "timestamp" text))
           WITH ORDINALITY AS x(id, sender, receiver, amount, ts, k)
), inserted AS (
    INSERT INTO streams (stream_id, sender, receiver, amount)
    SELECT c.id, c.sender, c.receiver, c.amount FROM c ORDER BY c.k
    RETURNING 1
), counter AS (
    UPDATE pulse_outbox_counter SET last_seq = last_seq + (SELECT count(*) FROM inserted)
    RETURNING last_seq - (SELECT count(*) FROM c) AS before,
              CASE WHEN $2::boolean THEN pg_notify('pulse_outbox', last_seq::text) END
), s AS (
    SELECT c.*, (SELECT counter.before FROM counter) + c.k AS seq FROM c
), written AS (
    INSERT INTO pulse_outbox (seq, event, rooms, data)
    SELECT s.seq, 'new-stream', pulse_new_stream_rooms(s.sender, s.receiver),
           json_build_object('streamId', s.id, 'sender', s.sender, 'receiver', s.receiver,
                             'amount', s.amount::text, 'status', 'ACTIVE', 'timestamp', s.ts)
      FROM s ORDER BY s.k
)
SELECT (s.k - 1)::integer AS idx, 'created'::pulse_outcome AS outcome, NULL::text AS field,
       s.seq, s.sender, s.receiver, s.amount::text AS amount, '0'::text AS withdrawn,
       'ACTIVE'::text AS status
  FROM s ORDER BY s.k
