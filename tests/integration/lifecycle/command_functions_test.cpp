// The command functions (migration 2): each request is one autocommit call that writes the
// domain rows and the outbox row. These check what moved into SQL: the outbox rows it builds
// replay as the same bytes the live messages carry, parallel creates of one stream stay
// idempotent, and parallel commands on different streams still leave in seq order, no gap.
#include <algorithm>
#include <atomic>
#include <thread>

#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

namespace {

// Fires `count` requests from their own threads at once; returns the statuses in index order.
template <class MakeBody>
std::vector<int> post_in_parallel(std::uint16_t port, const std::string& target, int count,
                                  MakeBody make_body) {
    std::vector<int> statuses(static_cast<std::size_t>(count), 0);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            try {
                statuses[static_cast<std::size_t>(i)] =
                    post_json(port, target, make_body(i)).status;
            } catch (const std::exception&) {
                statuses[static_cast<std::size_t>(i)] = -1;
            }
        });
    }
    go = true;
    for (auto& t : threads) t.join();
    return statuses;
}

}  // namespace

TEST_CASE("outbox rows written by the functions replay as the live events, byte for byte",
          "[integration][replay]") {
    Lifecycle lc;
    const std::string max = "170141183460469231731687303715884105727";
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "r1"}, {"sender", kG}, {"receiver", kC}, {"amount", max}})
                .status == 200);
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "self"}, {"sender", kM}, {"receiver", kM}, {"amount", "9"}})
                .status == 200);
    REQUIRE(post_json(lc.port(), "/api/test/test-withdrawal",
                      {{"streamId", "r1"}, {"amount", "170141183460469231731687303715884105000"}})
                .status == 200);
    REQUIRE(post_json(lc.port(), "/api/test/test-cancellation",
                      {{"streamId", "r1"}, {"toReceiver", "5"}, {"toSender", "27"}})
                .status == 200);
    std::vector<pulse::envelope::Envelope> live;
    for (int i = 0; i < 4; ++i) live.push_back(lc.next_event());
    CHECK(live[2].data["newBalance"] == "170141183460469231731687303715884105000");
    CHECK(live[3].data["amount"] == "170141183460469231731687303715884105700");  // max - 27

    auto page = http_request(lc.port(), "GET", "/internal/outbox?after=0");
    REQUIRE(page.status == 200);
    // ordered_json: an event's text is its own, keys in the order the page wrote them.
    auto j = nlohmann::ordered_json::parse(page.body);
    REQUIRE(j["events"].size() == 4);
    REQUIRE(lc.received.size() == 4);
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < 4; ++i) {
        auto text = j["events"][i].dump();
        texts.push_back(text);
        auto decoded = pulse::envelope::decode(text);
        INFO(text << " -> " << decoded.error);
        REQUIRE(decoded);
        CHECK(decoded.envelope->seq == live[i].seq);
        // Byte for byte the envelope the bus carried at commit: the payload's keys keep the
        // live order (schema 9 stores json, not jsonb), same timestamp, same amounts.
        CHECK(text == lc.received[i]);
    }
    // The rows themselves hold the payload's text in the live order.
    CHECK(lc.db.scalar("SELECT data::text FROM pulse_outbox WHERE seq = 2") ==
          "{\"streamId\" : \"self\", \"sender\" : \"" + kM + "\", \"receiver\" : \"" + kM +
              "\", \"amount\" : \"9\", \"status\" : \"ACTIVE\", \"timestamp\" : \"" +
              live[1].data["timestamp"].get<std::string>() + "\"}");
    std::string out;
    CHECK(envelopes_match_schema(texts, out));
    lc.check_received_against_schema();
    CHECK(lc.stop() == 0);
}

TEST_CASE("creates decided together replay as the live events, byte for byte",
          "[integration][replay]") {
    // Parallel creates reach the writer together: runs of three or more take the set-based
    // statement (migrations 7 and 8), and the repeated ids send a run to version 7's fallback.
    Lifecycle lc(Env{{"PULSE_DB_POOL_SIZE", "9"}, {"PULSE_HTTP_THREADS", "8"}});
    constexpr int kIds = 24, kRequests = 32;
    auto statuses = post_in_parallel(lc.port(), "/api/test/test-stream", kRequests, [](int i) {
        return json{{"streamId", "p-" + std::to_string(i % kIds)},
                    {"sender", i % 2 ? kG : kM},
                    {"receiver", kC},
                    {"amount", std::to_string(1000 + i % kIds)}};
    });
    // A repeat of an id is unchanged (same body) or 409 (the other sender won).
    CHECK(std::count(statuses.begin(), statuses.end(), -1) == 0);
    for (int i = 0; i < kIds; ++i) lc.next_event();
    lc.expect_no_event(std::chrono::milliseconds(300));
    auto page = http_request(lc.port(), "GET", "/internal/outbox?after=0");
    REQUIRE(page.status == 200);
    auto j = nlohmann::ordered_json::parse(page.body);
    REQUIRE(j["events"].size() == static_cast<std::size_t>(kIds));
    for (std::size_t i = 0; i < kIds; ++i) {
        INFO("seq " << i + 1);
        CHECK(j["events"][i].dump() == lc.received[i]);  // the bus delivers in seq order
    }
    CHECK(lc.stop() == 0);
}

TEST_CASE("parallel creates of one stream: one created, the rest unchanged or 409",
          "[integration][concurrency]") {
    Lifecycle lc(Env{{"PULSE_DB_POOL_SIZE", "9"}, {"PULSE_HTTP_THREADS", "8"}});
    constexpr int kRequests = 60;
    // every third asks for another amount: 409 whichever request created the stream
    auto statuses = post_in_parallel(lc.port(), "/api/test/test-stream", kRequests, [](int i) {
        return json{{"streamId", "once"},
                    {"sender", kG},
                    {"receiver", kC},
                    {"amount", i % 3 == 2 ? "2" : "1"}};
    });
    const int ok = static_cast<int>(std::count(statuses.begin(), statuses.end(), 200));
    const int conflict = static_cast<int>(std::count(statuses.begin(), statuses.end(), 409));
    // Normally amount 1 wins; if an amount-2 request got there first, the other 40 are 409.
    CHECK(ok + conflict == kRequests);
    CHECK((ok == 40 || ok == 20));
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 1);
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == 1);
    auto e = lc.next_event();
    CHECK(e.seq == 1);
    CHECK(e.data["amount"] == lc.db.scalar("SELECT amount::text FROM streams"));
    lc.expect_no_event();
    CHECK(lc.stop() == 0);
}

TEST_CASE("parallel commands on different streams leave in seq order with no gap",
          "[integration][concurrency]") {
    Lifecycle lc(Env{{"PULSE_DB_POOL_SIZE", "9"}, {"PULSE_HTTP_THREADS", "8"}});
    constexpr int kRequests = 120;
    auto statuses = post_in_parallel(lc.port(), "/api/test/test-stream", kRequests, [](int i) {
        return json{{"streamId", "p" + std::to_string(i)},
                    {"sender", kG},
                    {"receiver", kC},
                    {"amount", std::to_string(i + 1)}};
    });
    CHECK(std::count(statuses.begin(), statuses.end(), 200) == kRequests);
    // withdrawals on half of them, in parallel again (different rows: no lock between them)
    statuses = post_in_parallel(lc.port(), "/api/test/test-withdrawal", kRequests / 2, [](int i) {
        return json{{"streamId", "p" + std::to_string(2 * i)}, {"amount", "1"}};
    });
    CHECK(std::count(statuses.begin(), statuses.end(), 200) == kRequests / 2);

    const int total = kRequests + kRequests / 2;
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == total);
    CHECK(lc.db.scalar("SELECT max(seq)::text FROM pulse_outbox") == std::to_string(total));
    for (int i = 1; i <= total; ++i) {
        auto e = lc.next_event();
        REQUIRE(e.seq == i);
    }
    lc.expect_no_event();
    CHECK(lc.stop() == 0);
}
