// Back-pressure (docs/write-path.md): past PULSE_MAX_PENDING queued commands the lifecycle answers
// 503 + Retry-After at once, instead of letting every caller wait longer and longer. The test
// stalls the writer by holding the outbox counter row lock from another session, fills the queue,
// and times the refusals; then releases the lock and checks the queued commands commit and the
// refused ones wrote nothing.
#include <pqxx/pqxx>

#include "support/outbox_checks.hpp"
#include "support/parallel.hpp"
#include "support/writer_stall.hpp"

using namespace pulse::test;
using nlohmann::json;

TEST_CASE("a full queue answers 503 with Retry-After quickly", "[integration][saturation]") {
    constexpr int kMaxPending = 16;
    constexpr int kBurst = 100;
    Lifecycle lc(Env{{"PULSE_MAX_PENDING", std::to_string(kMaxPending)}});
    auto body = [](const std::string& id) {
        return json{{"streamId", id}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}};
    };

    // Stall: the writer's first batch waits for the counter row held from another session.
    WriterStall stall(lc, body("stalled"));

    // The burst, each caller timing its own answer.
    struct Answer {
        HttpReply reply;
        std::chrono::steady_clock::duration took{};
        std::atomic<bool> done{false};
    };
    std::vector<Answer> answers(kBurst);
    std::vector<std::thread> callers;
    for (int i = 0; i < kBurst; ++i)
        callers.emplace_back([&, i] {
            auto& a = answers[static_cast<std::size_t>(i)];
            const auto start = std::chrono::steady_clock::now();
            try {
                a.reply =
                    post_json(lc.port(), "/api/test/test-stream", body("b" + std::to_string(i)));
            } catch (const std::exception&) {
                a.reply.status = -1;
            }
            a.took = std::chrono::steady_clock::now() - start;
            a.done = true;
        });
    // While the writer is stalled, everything beyond the queue is answered.
    auto answered = [&] {
        int n = 0;
        for (const auto& a : answers) n += a.done.load();
        return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (answered() < kBurst - kMaxPending && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nobody else answers
    CHECK(answered() == kBurst - kMaxPending);
    const auto stalled_for = std::chrono::steady_clock::now();
    for (const auto& a : answers) {
        if (!a.done.load()) continue;
        INFO(a.reply.status << " " << a.reply.body);
        CHECK(a.reply.status == 503);
        CHECK(a.reply.retry_after == "1");
        CHECK(a.reply.content_type == "application/json");
        CHECK(a.reply.json().contains("error"));
        // Quick: answered while the writer is still stalled, well under a second.
        CHECK(a.took < std::chrono::seconds(1));
    }
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == 0);
    // The metric says the same.
    auto metrics = http_request(lc.port(), "GET", "/metrics").body;
    CHECK(metrics.find("pulse_lifecycle_write_rejected_total " +
                       std::to_string(kBurst - kMaxPending)) != std::string::npos);

    stall.release();  // the writer goes on: the stalled batch, then the queued ones
    for (auto& c : callers) c.join();
    CHECK(stall.first().status == 200);
    int ok = 0;
    for (const auto& a : answers) {
        if (a.reply.status != 200) continue;
        ++ok;
        // These waited for the stall: the queue bounded how many did.
        CHECK(a.took >= std::chrono::milliseconds(300));
    }
    (void)stalled_for;
    CHECK(ok == kMaxPending);
    // The refused wrote nothing: rows for the first command and the queued ones only, no hole.
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 1 + kMaxPending);
    auto rows = outbox_rows(lc.db);
    CHECK(rows.size() == static_cast<std::size_t>(1 + kMaxPending));
    check_outbox_gap_free(rows);
    CHECK(lc.stop() == 0);
}
