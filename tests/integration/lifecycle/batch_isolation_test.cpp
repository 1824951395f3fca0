// One command whose SQL fails unexpectedly must not fail the others batched with it. The writer
// sends a whole batch as one statement; when that statement raises (not a refusal the function
// returns, a real error), nothing of the batch committed and the writer applies the batch's
// commands one by one. The test makes such an error with a trigger that raises for one stream id
// only, and makes sure that command shares a batch with twenty others: the writer is stalled on
// the outbox counter row (held from another session) while they queue up.
#include <algorithm>
#include <set>
#include <thread>

#include "support/outbox_checks.hpp"
#include "support/parallel.hpp"
#include "support/writer_stall.hpp"

using namespace pulse::test;
using nlohmann::json;

TEST_CASE("an SQL error in one command of a batch fails that command only",
          "[integration][batch]") {
    Lifecycle lc;
    lc.db.exec(R"sql(
        CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'poisoned stream %', NEW.stream_id;
        END $$;
        CREATE TRIGGER test_poison BEFORE INSERT ON streams
            FOR EACH ROW WHEN (NEW.stream_id = 'poison') EXECUTE FUNCTION test_poison();
    )sql");
    auto body = [](const std::string& id) {
        return json{{"streamId", id}, {"sender", kG}, {"receiver", kC}, {"amount", "5"}};
    };

    // Stall the writer: its first batch waits for the counter row held from another session.
    WriterStall stall(lc, body("before"));

    // Twenty-one commands queue up behind it (the poisoned one in the middle), then the lock
    // goes and they leave as one batch.
    constexpr int kCommands = 21;
    constexpr int kPoisoned = 10;
    std::vector<HttpReply> replies;
    std::thread burst([&] {
        replies = fire_in_parallel(kCommands, [&](int i) {
            return Shot{lc.port(), "/api/test/test-stream",
                        body(i == kPoisoned ? "poison" : "ok" + std::to_string(i))};
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all of them queued
    stall.release();
    burst.join();
    REQUIRE(stall.first().status == 200);

    // The writer said it fell back to one-by-one (so the batch really held the poisoned command).
    auto lines = lc.process->lines();
    CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find("applying its commands one by one") != std::string::npos;
    }));
    std::set<std::int64_t> seqs{stall.first().json()["seq"].get<std::int64_t>()};
    for (int i = 0; i < kCommands; ++i) {
        const auto& r = replies[static_cast<std::size_t>(i)];
        INFO("command " << i << ": " << r.status << " " << r.body);
        if (i == kPoisoned) {
            CHECK(r.status == 503);
            CHECK(r.json()["error"].is_string());
            continue;
        }
        REQUIRE(r.status == 200);
        CHECK(seqs.insert(r.json()["seq"].get<std::int64_t>()).second);
    }
    // Nothing of the poisoned command was written; every other one was, gap-free.
    CHECK(lc.db.count("SELECT count(*) FROM streams WHERE stream_id = 'poison'") == 0);
    CHECK(lc.db.count("SELECT count(*) FROM streams") == kCommands);
    auto rows = outbox_rows(lc.db);
    check_outbox_gap_free(rows);
    CHECK(rows.size() == static_cast<std::size_t>(kCommands));
    for (const auto& [seq, data] : rows) CHECK(json::parse(data)["streamId"] != "poison");
    // The bus carries exactly those rows, in order.
    auto published =
        drain_bus(*lc.bus, static_cast<std::int64_t>(rows.size()), std::chrono::seconds(10));
    check_bus_against_outbox(published, rows, false);
    CHECK(lc.stop() == 0);
}
