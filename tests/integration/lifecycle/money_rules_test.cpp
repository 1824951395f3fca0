// The money rules the command path enforces (docs/write-path.md): a cancellation that splits more
// than the total, a withdrawal of nothing and a stream id with invisible or bidirectional
// characters are refused, and nothing is written or published for them; a split below the total is
// accepted and its event's amount is total - toSender.
#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

namespace {

// Every row the commands can write, and the seq counter.
std::string database_state(TestDatabase& db) {
    return db.scalar(
        "SELECT (SELECT count(*) FROM streams) || '/' || (SELECT count(*) FROM withdrawals) || '/' "
        "|| (SELECT count(*) FROM cancellations) || '/' || (SELECT count(*) FROM pulse_outbox) || "
        "'/' || (SELECT last_seq FROM pulse_outbox_counter) || '/' || "
        "(SELECT string_agg(stream_id || ':' || status || ':' || withdrawn, ',' ORDER BY "
        "stream_id) FROM streams)");
}

struct Refusal {
    const char* name;
    const char* target;
    json body;
    int status;
    const char* field;
};

}  // namespace

TEST_CASE("money rules: refused commands write nothing and publish nothing",
          "[integration][money]") {
    Lifecycle lc;
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "s1"}, {"sender", kG}, {"receiver", kC}, {"amount", "1000"}})
                .status == 200);
    REQUIRE(lc.next_event().seq == 1);
    const auto before = database_state(lc.db);

    const std::string ten_to_30 = "1000000000000000000000000000000";
    const std::vector<Refusal> refusals = {
        {"split above the total (900 + 900 of 1000)",
         "/api/test/test-cancellation",
         {{"streamId", "s1"}, {"toReceiver", "900"}, {"toSender", "900"}},
         409,
         "toReceiver"},
        {"toReceiver 10^30",
         "/api/test/test-cancellation",
         {{"streamId", "s1"}, {"toReceiver", ten_to_30}, {"toSender", "0"}},
         409,
         "toReceiver"},
        {"split one above the total",
         "/api/test/test-cancellation",
         {{"streamId", "s1"}, {"toReceiver", "1"}, {"toSender", "1000"}},
         409,
         "toReceiver"},
        {"withdrawal of 0",
         "/api/test/test-withdrawal",
         {{"streamId", "s1"}, {"amount", "0"}},
         400,
         "amount"},
        {"stream id with U+202E (right-to-left override)",
         "/api/test/test-stream",
         {{"streamId", "abc\u202Egpj.exe"}, {"sender", kG}, {"receiver", kC}, {"amount", "5"}},
         400,
         "streamId"},
        {"stream id with U+200B (zero-width space)",
         "/api/test/test-stream",
         {{"streamId", "s\u200B1"}, {"sender", kG}, {"receiver", kC}, {"amount", "5"}},
         400,
         "streamId"},
        {"stream id with a space",
         "/api/test/test-stream",
         {{"streamId", "s 1"}, {"sender", kG}, {"receiver", kC}, {"amount", "5"}},
         400,
         "streamId"},
        {"withdrawal on an id with U+202E",
         "/api/test/test-withdrawal",
         {{"streamId", "s1\u202E"}, {"amount", "1"}},
         400,
         "streamId"},
    };
    for (const auto& r : refusals) {
        auto reply = post_json(lc.port(), r.target, r.body);
        INFO(r.name << ": " << reply.status << " " << reply.body);
        CHECK(reply.status == r.status);
        CHECK(reply.json().value("field", "") == r.field);
        CHECK(database_state(lc.db) == before);
        CHECK_FALSE(lc.bus->receive(std::chrono::milliseconds(150)));
    }

    // The database refuses an unsafe id even if a caller got past the validation.
    CHECK_THROWS(
        lc.db.exec("INSERT INTO streams (stream_id, sender, receiver, amount) VALUES "
                   "('x\u202E', '" +
                   kG + "', '" + kC + "', 1)"));
    CHECK(database_state(lc.db) == before);

    // Ids of the documented set are accepted, up to 128 characters.
    const std::string longest = "A-z.0_9:" + std::string(120, 'k');
    auto ok = post_json(lc.port(), "/api/test/test-stream",
                        {{"streamId", longest}, {"sender", kG}, {"receiver", kC}, {"amount", "5"}});
    CHECK(ok.status == 200);
    auto created = lc.next_event();
    CHECK(created.seq == 2);  // no seq was consumed by the refusals
    CHECK(created.data["streamId"] == longest);
    CHECK(lc.stop() == 0);
}

TEST_CASE("cancellation split below the total: amount is total - toSender",
          "[integration][money]") {
    Lifecycle lc;
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "s2"}, {"sender", kG}, {"receiver", kC}, {"amount", "1000"}})
                .status == 200);
    REQUIRE(
        post_json(lc.port(), "/api/test/test-withdrawal", {{"streamId", "s2"}, {"amount", "100"}})
            .status == 200);
    lc.next_event();
    lc.next_event();
    // 300 + 500 of 1000: 200 are in neither part and count on the receiver's side.
    auto reply = post_json(lc.port(), "/api/test/test-cancellation",
                           {{"streamId", "s2"}, {"toReceiver", "300"}, {"toSender", "500"}});
    REQUIRE(reply.status == 200);
    CHECK(reply.json()["data"]["amount"] == "500");
    auto e = lc.next_event();
    CHECK(e.seq == 3);
    CHECK(e.data["amount"] == "500");
    CHECK(e.data["status"] == "CANCELED");
    CHECK(lc.db.scalar("SELECT to_receiver || '/' || to_sender FROM cancellations") == "300/500");
    // The exact split is accepted too.
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "s3"}, {"sender", kG}, {"receiver", kC}, {"amount", "10"}})
                .status == 200);
    lc.next_event();
    auto exact = post_json(lc.port(), "/api/test/test-cancellation",
                           {{"streamId", "s3"}, {"toReceiver", "4"}, {"toSender", "6"}});
    CHECK(exact.status == 200);
    CHECK(lc.next_event().data["amount"] == "4");
    lc.check_received_against_schema();
    CHECK(lc.stop() == 0);
}
