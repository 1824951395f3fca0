// Two lifecycle instances on one database (docs/write-path.md): 200 concurrent commands sent to
// both; one SUB connected to both PUB endpoints (as every gateway is) sees one gap-free stream in
// seq order, no duplicates, and every answer's seq exactly once.
#include <set>

#include "support/outbox_checks.hpp"
#include "support/parallel.hpp"

using namespace pulse::test;
using nlohmann::json;

TEST_CASE("two instances, one database: one ordered gap-free stream", "[integration][instances]") {
    TestDatabase db;
    LifecycleProcess a(lifecycle_env(db));
    a.wait_ready();
    LifecycleProcess b(lifecycle_env(db));
    b.wait_ready();
    BusSubscriber bus(std::vector<std::string>{a.bus_endpoint(), b.bus_endpoint()});

    constexpr int kStreams = 20;
    constexpr int kCommands = 200;
    for (int i = 0; i < kStreams; ++i) {
        auto& target = i % 2 ? b : a;
        REQUIRE(post_json(target.port(), "/api/test/test-stream",
                          {{"streamId", "t" + std::to_string(i)},
                           {"sender", kG},
                           {"receiver", kC},
                           {"amount", "1000"}})
                    .status == 200);
    }
    // Withdrawals on the same streams from both instances at once: row locks cross instances.
    auto replies = fire_in_parallel(kCommands, [&](int i) {
        return Shot{(i % 2 ? b : a).port(), "/api/test/test-withdrawal",
                    json{{"streamId", "t" + std::to_string(i % kStreams)}, {"amount", "1"}}};
    });
    std::set<std::int64_t> answered;
    for (const auto& r : replies) {
        INFO(r.status << " " << r.body);
        REQUIRE(r.status == 200);
        CHECK(answered.insert(r.json()["seq"].get<std::int64_t>()).second);
    }
    const std::int64_t total = kStreams + kCommands;
    CHECK(*answered.begin() == kStreams + 1);
    CHECK(*answered.rbegin() == total);

    auto rows = outbox_rows(db);
    REQUIRE(rows.size() == static_cast<std::size_t>(total));
    check_outbox_gap_free(rows);
    auto published = drain_bus(bus, total, std::chrono::seconds(20));
    check_bus_against_outbox(published, rows, false);
    CHECK(published.size() == static_cast<std::size_t>(total));
    CHECK_FALSE(bus.receive(std::chrono::milliseconds(300)));
    CHECK(db.scalar("SELECT sum(withdrawn)::text FROM streams") == std::to_string(kCommands));
    // Exactly one of them publishes.
    auto leader_of = [](LifecycleProcess& p) {
        auto m = http_request(p.port(), "GET", "/metrics");
        return m.body.find("\npulse_lifecycle_outbox_leader 1\n") != std::string::npos;
    };
    CHECK(leader_of(a) + leader_of(b) == 1);
    CHECK(a.terminate() == 0);
    CHECK(b.terminate() == 0);
}

TEST_CASE("two instances: kill -9 of the publishing one mid-traffic loses nothing",
          "[integration][instances][crash]") {
    TestDatabase db;
    const Env fast{{"PULSE_OUTBOX_RELAY_MS", "200"}};
    LifecycleProcess a(lifecycle_env(db, fast));
    a.wait_ready();
    REQUIRE(a.wait_for("publishing the outbox"));  // a leads
    LifecycleProcess b(lifecycle_env(db, fast));
    b.wait_ready();
    BusSubscriber bus(std::vector<std::string>{a.bus_endpoint(), b.bus_endpoint()});

    constexpr int kCommands = 200;
    std::int64_t cursor_at_kill = 0;
    std::thread killer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        a.kill9();
        // Read at once: b takes over only after PULSE_OUTBOX_RELAY_MS (200 ms).
        cursor_at_kill = publish_cursor(db);
    });
    auto replies = fire_in_parallel(kCommands, [&](int i) {
        return Shot{(i % 2 ? b : a).port(), "/api/test/test-stream",
                    json{{"streamId", "k" + std::to_string(i)},
                         {"sender", kG},
                         {"receiver", kC},
                         {"amount", std::to_string(i + 1)}}};
    });
    killer.join();
    REQUIRE(a.killed());

    auto rows = outbox_rows(db);
    check_outbox_gap_free(rows);
    // Nothing acknowledged is lost: every 200 names a committed row with its stream.
    int acknowledged = 0;
    for (int i = 0; i < kCommands; ++i) {
        const auto& r = replies[static_cast<std::size_t>(i)];
        if (r.status != 200) continue;
        ++acknowledged;
        const auto seq = r.json()["seq"].get<std::int64_t>();
        REQUIRE(rows.count(seq) == 1);
        CHECK(json::parse(rows[seq])["streamId"] == "k" + std::to_string(i));
    }
    CHECK(acknowledged >= kCommands / 2);  // b's half at least
    CHECK(db.count("SELECT count(*) FROM streams") == static_cast<std::int64_t>(rows.size()));
    // b takes over and publishes every committed row; only committed rows ever went out.
    const std::int64_t last = rows.empty() ? 0 : rows.rbegin()->first;
    auto published = drain_bus(bus, last, std::chrono::seconds(20));
    check_bus_against_outbox(published, rows, true, cursor_at_kill);
    // And b goes on: the next command follows the last committed seq.
    auto next =
        post_json(b.port(), "/api/test/test-stream",
                  {{"streamId", "after"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}});
    REQUIRE(next.status == 200);
    CHECK(next.json()["seq"] == last + 1);
    CHECK(b.terminate() == 0);
}
