// A batch of creates only is written by one plain statement (db::create_streams) instead of
// pulse_apply_commands, and falls back to the function when an id is taken or repeated. Its
// oracle is the function itself: both run the same random batches of creates (new ids, ids that
// exist, ids repeated within the batch, self-streams), each in a savepoint rolled back
// after its result rows and the rows it wrote are recorded. Whenever the statement succeeds,
// its answer and every row it wrote must be the function's, byte for byte; it must fail
// (unique_violation) exactly when the function refuses or leaves unchanged one of the creates.
// Then, end to end, a batch that meets a taken id is decided command by command.
#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "db/command_batch.hpp"
#include "support/outbox_checks.hpp"
#include "support/parallel.hpp"
#include "support/writer_stall.hpp"

using namespace pulse::test;
using nlohmann::json;

namespace {

// The rows a batch wrote after outbox seq `base`, the streams table and the counter, as text.
constexpr const char* kState = R"SQL(
SELECT coalesce((SELECT string_agg(format('%s|%s|%s|%s', seq, event, rooms, data), ';' ORDER BY seq)
                   FROM pulse_outbox WHERE seq > $1), '')
 || '#' || coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', stream_id, sender, receiver,
                                              amount, withdrawn, status), ';' ORDER BY stream_id)
                       FROM streams), '')
 || '#' || (SELECT last_seq FROM pulse_outbox_counter)::text
)SQL";

std::string rows_text(const pqxx::result& r) {
    std::string out;
    for (const auto& row : r) {
        for (const auto& f : row) out += (f.is_null() ? std::string("<null>") : f.c_str()) + '|';
        out += ';';
    }
    return out;
}

struct Outcome {
    bool failed = false;  // unique_violation
    std::string results;
    std::string state;
    bool all_created = false;
};

// Runs the statement inside a savepoint, records what it did, and rolls back to the savepoint.
Outcome run_and_roll_back(pqxx::work& tx, const char* statement, const std::string& batch,
                          std::int64_t base) {
    Outcome o;
    tx.exec("SAVEPOINT candidate");
    try {
        auto r = tx.exec_prepared(statement, batch, false);
        o.results = rows_text(r);
        o.all_created = std::all_of(r.begin(), r.end(), [](const pqxx::row& row) {
            return std::string(row[1].c_str()) == "created";
        });
        o.state = tx.exec_params(kState, base)[0][0].c_str();
    } catch (const pqxx::unique_violation&) {
        o.failed = true;
    } catch (const std::exception& e) {
        FAIL_CHECK(statement << " failed: " << e.what());
        o.failed = true;
    }
    tx.exec("ROLLBACK TO SAVEPOINT candidate");
    return o;
}

}  // namespace

TEST_CASE("the plain creates statement answers and writes what pulse_apply_commands does",
          "[integration][batch][plain-creates]") {
    Lifecycle lc;  // its migrations build the schema
    pqxx::connection conn(lc.db.url());
    conn.prepare("plain", pulse::lifecycle::db::create_streams_sql());
    conn.prepare("function", "SELECT * FROM pulse_apply_commands($1::jsonb, $2::boolean)");
    std::mt19937 random(4242);
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
    const std::string parties[] = {kG, kC, kM};
    const std::string amounts[] = {"1", "1000", "170141183460469231731687303715884105727"};
    int fresh = 0, plain_ok = 0, plain_failed = 0, mismatches = 0;
    std::string first_mismatch;

    pqxx::work tx(conn);
    for (int t = 0; t < 400; ++t) {
        if (t % 100 == 0) tx.exec("DELETE FROM streams");
        // 1..12 creates: most of new ids, some of a small pool that exists or repeats.
        json batch = json::array();
        const int size = 1 + pick(12);
        const bool only_new = pick(3) != 0;
        for (int i = 0; i < size; ++i) {
            const std::string id = only_new || pick(4) != 0 ? "n-" + std::to_string(++fresh)
                                                            : "p-" + std::to_string(pick(6));
            const std::string& sender = parties[pick(3)];
            batch.push_back(
                {{"op", "create"},
                 {"streamId", id},
                 {"sender", sender},
                 {"receiver", pick(4) == 0 ? sender : parties[pick(3)]},
                 {"amount", amounts[pick(3)]},
                 {"timestamp", "2026-12-01T10:00:00." + std::to_string(100 + t % 900) + "Z"}});
        }
        const std::string text = batch.dump();
        const auto base =
            tx.exec("SELECT last_seq FROM pulse_outbox_counter")[0][0].as<std::int64_t>();
        const Outcome plain = run_and_roll_back(tx, "plain", text, base);
        const Outcome function = run_and_roll_back(tx, "function", text, base);
        plain.failed ? ++plain_failed : ++plain_ok;
        const bool same = plain.failed
                              ? !function.all_created
                              : plain.results == function.results && plain.state == function.state;
        if (!same && mismatches++ == 0)
            first_mismatch =
                "batch " + text + "\nplain: " +
                (plain.failed ? "unique_violation" : plain.results + " / " + plain.state) +
                "\nfunction: " + function.results + " / " + function.state;
        // Every other batch is kept, so that later ones meet existing ids.
        if (t % 2 == 0) tx.exec_prepared("function", text, false);
    }
    tx.abort();
    INFO(first_mismatch);
    CHECK(mismatches == 0);
    // Both ways were taken many times.
    CHECK(plain_ok > 150);
    CHECK(plain_failed > 50);
    CHECK(lc.stop() == 0);
}

TEST_CASE("a batch of creates that meets a taken or repeated id is decided command by command",
          "[integration][batch][plain-creates]") {
    Lifecycle lc;
    auto body = [](const std::string& id, const std::string& amount = "5") {
        return json{{"streamId", id}, {"sender", kG}, {"receiver", kC}, {"amount", amount}};
    };
    // The writer's first batch waits on the counter row; the commands below queue behind it.
    WriterStall stall(lc, body("taken"));
    std::vector<Shot> shots;
    for (int i = 0; i < 8; ++i)
        shots.push_back({lc.port(), "/api/test/test-stream", body("new" + std::to_string(i))});
    shots.push_back({lc.port(), "/api/test/test-stream", body("taken")});       // unchanged: 200
    shots.push_back({lc.port(), "/api/test/test-stream", body("taken", "6")});  // 409
    shots.push_back({lc.port(), "/api/test/test-stream", body("twice")});
    shots.push_back(
        {lc.port(), "/api/test/test-stream", body("twice")});  // one created, one unchanged
    std::vector<HttpReply> replies;
    std::thread burst([&] {
        replies = fire_in_parallel(static_cast<int>(shots.size()),
                                   [&](int i) { return shots[static_cast<std::size_t>(i)]; });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all of them queued
    stall.release();
    burst.join();
    REQUIRE(stall.first().status == 200);

    for (int i = 0; i < 8; ++i) {
        INFO(replies[static_cast<std::size_t>(i)].body);
        CHECK(replies[static_cast<std::size_t>(i)].status == 200);
        CHECK(replies[static_cast<std::size_t>(i)].json()["created"] == true);
    }
    CHECK(replies[8].status == 200);
    CHECK_FALSE(replies[8].json().contains("seq"));  // unchanged: no event
    CHECK(replies[9].status == 409);
    CHECK(replies[9].json()["field"] == "amount");
    CHECK(replies[10].status == 200);
    CHECK(replies[11].status == 200);
    CHECK(replies[10].json().contains("seq") != replies[11].json().contains("seq"));

    // The plain statement met the taken id and the batch went through the function.
    const auto metrics = http_request(lc.port(), "GET", "/metrics").body;
    const std::string name = "\npulse_lifecycle_write_create_fallbacks_total ";
    const auto at = metrics.find(name);
    REQUIRE(at != std::string::npos);
    CHECK(std::stol(metrics.substr(at + name.size())) >= 1);

    // 1 + 8 + 1 events, gap-free, and the bus carried exactly them.
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 10);
    auto rows = outbox_rows(lc.db);
    check_outbox_gap_free(rows);
    CHECK(rows.size() == 10);
    auto published = drain_bus(*lc.bus, 10, std::chrono::seconds(10));
    check_bus_against_outbox(published, rows, false);
    CHECK(lc.stop() == 0);
}
