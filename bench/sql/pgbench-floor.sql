-- pgbench floor for the write path (scripts/bench --write): the rows one create writes (a
-- stream row, the counter row, an outbox row), written by PostgreSQL's own client through the
-- same function the lifecycle calls, with the server's commit mode (synchronous_commit = on).
-- The call is the lifecycle's: a prepared statement (pgbench -M prepared) whose batch arrives as
-- text and is cast to jsonb. The batch's text is built once (pgfloor_batch, by scripts/bench,
-- :batch creates with stream ids 'pgb-@-<k>'); each call only puts its own unique part in '@'.
-- (Building the batch with jsonb_agg over generate_series in every call cost PostgreSQL more
-- than the one create it then wrote: 414 against 226 us of core time per call.)
\set n random(1, 2000000000)
SELECT count(*) FROM pulse_apply_commands(
  replace((SELECT commands FROM pgfloor_batch), '@', :client_id || '-' || :n)::jsonb);
