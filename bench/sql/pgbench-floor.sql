-- pgbench floor for the write path (scripts/bench --write): the rows one create writes (a
-- stream row, the counter row, an outbox row), written by PostgreSQL's own client through the
-- same function the lifecycle calls, one command per transaction, with the server's commit mode
-- (synchronous_commit = on). :batch commands per call when pgbench is given -D batch=N.
\set n random(1, 2000000000)
SELECT count(*) FROM pulse_apply_commands(
  (SELECT jsonb_agg(jsonb_build_object(
     'op', 'create', 'streamId', 'pgb-' || :client_id || '-' || :n || '-' || g,
     'sender', 'GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ',
     'receiver', 'CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA',
     'amount', '1000', 'timestamp', '2026-11-30T00:00:00.000Z'))
   FROM generate_series(1, :batch) g));
