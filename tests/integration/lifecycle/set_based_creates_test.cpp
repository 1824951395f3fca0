// Migration 7 writes runs of creates with one set-based statement, and migration 8 first tries a
// plain INSERT of the whole run (kept when every id is new). Their oracle is the function they
// replaced: version 6 of pulse_apply_commands (one PL/pgSQL step per command), loaded from
// services/lifecycle/sql/006_one_pass_results.sql under another name. Both run the same random
// batches (creates, withdrawals, cancellations and the odd unknown op, over 25 stream ids so
// that ids repeat within and across batches), each inside a subtransaction rolled back after
// its results, outbox rows and table contents are recorded, so both start from the same state;
// every other batch is then kept so later batches meet existing, withdrawn and canceled
// streams. Any difference in a result row, an outbox row, a table row, the counter or the
// error message fails the test.
#include <fstream>
#include <sstream>

#include "support/fixture.hpp"

using namespace pulse::test;

namespace {

std::string reference_function_sql() {
    const char* dir = std::getenv("PULSE_LIFECYCLE_SQL_DIR");
    REQUIRE(dir != nullptr);
    std::ifstream in(std::string(dir) + "/006_one_pass_results.sql");
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    std::string sql = text.str();
    const std::string from = "FUNCTION pulse_apply_commands(";
    const auto at = sql.find(from);
    REQUIRE(at != std::string::npos);
    sql.replace(at, from.size(), "FUNCTION pulse_apply_commands_v6(");
    return sql;
}

// Returns "mismatches=N created=N errors=N all_create_runs=N mixed_runs=N all_new_runs=N
// first=<first diff>".
constexpr const char* kDifferential = R"SQL(
CREATE FUNCTION pg_temp.random_batch(n int, creates float8) RETURNS jsonb LANGUAGE sql VOLATILE AS $$
SELECT jsonb_agg(CASE
  WHEN r < creates THEN jsonb_build_object('op', 'create', 'streamId', 'd-' || (1 + floor(random() * 25))::int,
      'sender', (ARRAY['GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ',
                       'GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5'])[1 + floor(random() * 2)::int],
      'receiver', (ARRAY['CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA',
                         'GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ'])[1 + floor(random() * 2)::int],
      'amount', (ARRAY['1000', '500', '1000'])[1 + floor(random() * 3)::int], 'timestamp', 't')
  WHEN r < creates + 0.25 THEN jsonb_build_object('op', 'withdraw', 'streamId', 'd-' || (1 + floor(random() * 25))::int,
      'amount', floor(random() * 400)::int::text, 'timestamp', 't')
  WHEN r < creates + 0.445 THEN jsonb_build_object('op', 'cancel', 'streamId', 'd-' || (1 + floor(random() * 25))::int,
      'toReceiver', floor(random() * 700)::int::text, 'toSender', floor(random() * 700)::int::text,
      'timestamp', 't')
  ELSE jsonb_build_object('op', 'bogus', 'streamId', 'd-1') END ORDER BY g)
FROM (SELECT g, random() r FROM generate_series(1, n) g) q $$;

CREATE FUNCTION pg_temp.state(base bigint) RETURNS text LANGUAGE sql AS $$
SELECT coalesce((SELECT string_agg(format('%s|%s|%s|%s', seq, event, rooms, data), ';' ORDER BY seq)
                   FROM pulse_outbox WHERE seq > base), '')
 || '#' || coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s', stream_id, sender, receiver,
                                              amount, withdrawn, status, closed_at IS NULL), ';' ORDER BY stream_id)
                       FROM streams), '')
 || '#' || coalesce((SELECT string_agg(format('%s|%s', stream_id, amount), ';' ORDER BY id) FROM withdrawals), '')
 || '#' || coalesce((SELECT string_agg(format('%s|%s|%s', stream_id, to_receiver, to_sender), ';' ORDER BY stream_id)
                       FROM cancellations), '')
 || '#' || (SELECT last_seq FROM pulse_outbox_counter)::text $$;

CREATE FUNCTION pg_temp.differential(batches int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  b jsonb; r6 text; r7 text; s6 text; s7 text; base bigint; first_diff text := '';
  mismatches int := 0; created int := 0; errors int := 0; all_create_runs int := 0; mixed_runs int := 0;
  all_new_runs int := 0;
BEGIN
  PERFORM setseed(0.4242);
  FOR t IN 1 .. batches LOOP
    IF t % 40 = 0 THEN
      DELETE FROM withdrawals; DELETE FROM cancellations; DELETE FROM streams;
    END IF;
    -- One batch in five is creates only.
    b := pg_temp.random_batch(1 + floor(random() * 12)::int,
                              CASE WHEN random() < 0.2 THEN 1.0 ELSE 0.55 END);
    IF jsonb_array_length(b) >= 3 AND NOT jsonb_path_exists(b, '$[*] ? (@.op != "create")') THEN
      all_create_runs := all_create_runs + 1;
      -- Every id new and distinct: version 8's plain INSERT decides the run alone.
      IF (SELECT count(DISTINCT e->>'streamId') = count(*) FROM jsonb_array_elements(b) e)
         AND NOT EXISTS (SELECT FROM jsonb_array_elements(b) e
                           JOIN streams s ON s.stream_id = e->>'streamId') THEN
        all_new_runs := all_new_runs + 1;
      END IF;
    ELSIF jsonb_path_exists(b, '$[*] ? (@.op != "create")')
          AND (SELECT string_agg(CASE WHEN value->>'op' = 'create' THEN 'c' ELSE 'x' END, '')
                 FROM jsonb_array_elements(b)) LIKE '%ccc%' THEN
      mixed_runs := mixed_runs + 1;
    END IF;
    SELECT last_seq INTO base FROM pulse_outbox_counter;
    BEGIN
      SELECT string_agg(x::text, ';' ORDER BY x.idx) INTO r6 FROM pulse_apply_commands_v6(b) x;
      s6 := pg_temp.state(base);
      RAISE EXCEPTION USING ERRCODE = 'P0009', MESSAGE = 'roll back';
    EXCEPTION
      WHEN SQLSTATE 'P0009' THEN NULL;
      WHEN OTHERS THEN r6 := 'error: ' || SQLERRM; s6 := NULL;
    END;
    BEGIN
      SELECT string_agg(x::text, ';' ORDER BY x.idx) INTO r7 FROM pulse_apply_commands(b) x;
      s7 := pg_temp.state(base);
      created := created + (length(r7) - length(replace(r7, ',created,', ''))) / length(',created,');
      IF r6 IS DISTINCT FROM r7 OR s6 IS DISTINCT FROM s7 THEN
        mismatches := mismatches + 1;
        IF first_diff = '' THEN
          first_diff := format('batch %s: %s; version 6: %s / %s; now: %s / %s', t, b, r6, s6, r7, s7);
        END IF;
      END IF;
      IF t % 2 = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'P0009', MESSAGE = 'roll back';
      END IF;
    EXCEPTION
      WHEN SQLSTATE 'P0009' THEN NULL;
      WHEN OTHERS THEN
        errors := errors + 1;
        IF r6 IS DISTINCT FROM 'error: ' || SQLERRM THEN
          mismatches := mismatches + 1;
          IF first_diff = '' THEN
            first_diff := format('batch %s: %s; version 6: %s; now: error: %s', t, b, r6, SQLERRM);
          END IF;
        END IF;
    END;
  END LOOP;
  RETURN format('mismatches=%s created=%s errors=%s all_create_runs=%s mixed_runs=%s '
                'all_new_runs=%s first=%s',
                mismatches, created, errors, all_create_runs, mixed_runs, all_new_runs, first_diff);
END $$;
)SQL";

int field(const std::string& summary, const std::string& name) {
    const auto at = summary.find(name + "=");
    REQUIRE(at != std::string::npos);
    return std::stoi(summary.substr(at + name.size() + 1));
}

}  // namespace

TEST_CASE("set-based creates answer and write exactly what one step per command did",
          "[integration][batch][set-based]") {
    Lifecycle lc;  // its migrations build the schema
    auto& db = lc.db;
    db.exec(reference_function_sql());
    // The temp functions live in this session: one scalar() call creates and runs them.
    const std::string summary =
        db.scalar(std::string(kDifferential) + "SELECT pg_temp.differential(1500);");
    INFO(summary);
    CHECK(field(summary, "mismatches") == 0);
    // The batches did reach every path: creates that inserted, errors, whole-batch create
    // runs and create runs inside mixed batches (both long enough for the set-based statement)...
    CHECK(field(summary, "created") > 1000);
    CHECK(field(summary, "errors") > 10);
    CHECK(field(summary, "all_create_runs") > 50);
    CHECK(field(summary, "mixed_runs") > 50);
    // ... and whole runs of new ids, which version 8's plain INSERT decides alone (the rest of
    // the create runs fail it on a taken id and take version 7's statement).
    CHECK(field(summary, "all_new_runs") > 5);
}
