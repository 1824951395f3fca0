// 200 withdrawals fired in parallel on one stream: the row lock makes them sum exactly, the
// total is never exceeded, and the events leave in seq order with no gap.
#include <atomic>
#include <thread>

#include "support/fixture.hpp"

using namespace pulse::test;

TEST_CASE("200 parallel withdrawals on one stream sum exactly", "[integration][concurrency]") {
    Lifecycle lc(Env{{"PULSE_DB_POOL_SIZE", "9"}, {"PULSE_HTTP_THREADS", "8"}});
    // total 1000, 200 x 7: exactly 142 fit (994), 58 must be refused with 409.
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "hot"}, {"sender", kG}, {"receiver", kC}, {"amount", "1000"}})
                .status == 200);
    REQUIRE(lc.next_event().seq == 1);

    constexpr int kRequests = 200;
    std::atomic<int> ok{0}, conflict{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            try {
                auto r = post_json(lc.port(), "/api/test/test-withdrawal",
                                   {{"streamId", "hot"}, {"amount", "7"}});
                if (r.status == 200)
                    ++ok;
                else if (r.status == 409)
                    ++conflict;
                else
                    ++other;
            } catch (const std::exception&) {
                ++other;
            }
        });
    }
    go = true;
    for (auto& t : threads) t.join();

    CHECK(ok == 142);
    CHECK(conflict == 58);
    CHECK(other == 0);
    CHECK(lc.db.scalar("SELECT withdrawn::text FROM streams WHERE stream_id = 'hot'") == "994");
    CHECK(lc.db.scalar("SELECT sum(amount)::text FROM withdrawals WHERE stream_id = 'hot'") ==
          "994");
    CHECK(lc.db.count("SELECT count(*) FROM withdrawals") == 142);
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == 143);
    CHECK(lc.db.scalar("SELECT max(seq)::text FROM pulse_outbox") == "143");

    // Every balance-update arrives, in seq order with no gap, and balances only grow by 7.
    std::int64_t expected_seq = 2;
    long long last_balance = 0;
    for (int i = 0; i < 142; ++i) {
        auto e = lc.next_event();
        CHECK(e.seq == expected_seq);
        expected_seq = e.seq + 1;
        const long long balance = std::stoll(e.data["newBalance"].get<std::string>());
        CHECK(balance == last_balance + 7);
        last_balance = balance;
    }
    CHECK(last_balance == 994);
    lc.expect_no_event();
    // The instance's own rows went out as its writer handed them over, not read back from the
    // outbox on their NOTIFY (a read-back costs a query per batch; before, about a third were).
    // A few may be, by the periodic poll: the bound is a tenth.
    const auto metrics = http_request(lc.port(), "GET", "/metrics").body;
    const std::string name = "\npulse_lifecycle_outbox_read_back_total ";
    const auto at = metrics.find(name);
    REQUIRE(at != std::string::npos);
    const long read_back = std::stol(metrics.substr(at + name.size()));
    INFO("read back " << read_back << " of 143");
    CHECK(read_back <= 14);
    CHECK(lc.stop() == 0);
}
