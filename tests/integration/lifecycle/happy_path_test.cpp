// Each endpoint's happy path: the HTTP answer, the rows written, and the exact envelope on the bus.
#include <regex>

#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

namespace {
bool is_iso_millis(const std::string& s) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
    return std::regex_match(s, re);
}
}  // namespace

TEST_CASE("stream, withdrawal, cancellation: answers, rows and exact envelopes", "[integration]") {
    Lifecycle lc;
    const std::string epoch = lc.db.scalar("SELECT value FROM pulse_meta WHERE key = 'epoch'");
    REQUIRE_FALSE(epoch.empty());

    // --- test-stream
    auto created = post_json(
        lc.port(), "/api/test/test-stream",
        {{"streamId", "stream-1"}, {"sender", kG}, {"receiver", kC}, {"amount", "1000000000"}});
    REQUIRE(created.status == 200);
    CHECK(created.content_type == "application/json");
    auto body = created.json();
    CHECK(body["success"] == true);
    CHECK(body["event"] == "new-stream");
    CHECK(body["seq"] == 1);
    CHECK(lc.db.scalar("SELECT sender || ' ' || receiver || ' ' || amount::text || ' ' || "
                       "withdrawn::text || ' ' || status "
                       "FROM streams WHERE stream_id = 'stream-1'") ==
          kG + " " + kC + " 1000000000 0 ACTIVE");

    auto e1 = lc.next_event();
    CHECK(e1.v == 1);
    CHECK(e1.epoch == epoch);
    CHECK(e1.seq == 1);
    CHECK(e1.event == "new-stream");
    CHECK(e1.rooms == std::vector<std::string>{"stream-" + kG, "stream-" + kC});
    REQUIRE(e1.data.size() == 6);
    CHECK(e1.data["streamId"] == "stream-1");
    CHECK(e1.data["sender"] == kG);
    CHECK(e1.data["receiver"] == kC);
    CHECK(e1.data["amount"] == "1000000000");
    CHECK(e1.data["status"] == "ACTIVE");
    CHECK(is_iso_millis(e1.data["timestamp"].get<std::string>()));
    CHECK(json::parse(e1.data.dump()) == body["data"]);  // the answer carries the same payload

    // --- test-withdrawal
    auto withdrawn = post_json(lc.port(), "/api/test/test-withdrawal",
                               {{"streamId", "stream-1"}, {"amount", "500000000"}});
    REQUIRE(withdrawn.status == 200);
    CHECK(withdrawn.json()["event"] == "balance-update");
    CHECK(lc.db.count("SELECT count(*) FROM withdrawals WHERE stream_id = 'stream-1' AND amount = "
                      "500000000") == 1);
    CHECK(lc.db.scalar("SELECT withdrawn::text FROM streams WHERE stream_id = 'stream-1'") ==
          "500000000");

    auto e2 = lc.next_event();
    CHECK(e2.seq == 2);
    CHECK(e2.epoch == epoch);
    CHECK(e2.event == "balance-update");
    CHECK(e2.rooms == std::vector<std::string>{"stream-" + kC});
    REQUIRE(e2.data.size() == 3);
    CHECK(e2.data["address"] == kC);
    CHECK(e2.data["newBalance"] == "500000000");
    CHECK(is_iso_millis(e2.data["timestamp"].get<std::string>()));

    // a second withdrawal: newBalance is the running total on the stream
    REQUIRE(post_json(lc.port(), "/api/test/test-withdrawal",
                      {{"streamId", "stream-1"}, {"amount", "1"}})
                .status == 200);
    auto e3 = lc.next_event();
    CHECK(e3.seq == 3);
    CHECK(e3.data["newBalance"] == "500000001");

    // --- test-cancellation
    auto canceled = post_json(
        lc.port(), "/api/test/test-cancellation",
        {{"streamId", "stream-1"}, {"toReceiver", "750000000"}, {"toSender", "250000000"}});
    REQUIRE(canceled.status == 200);
    CHECK(lc.db.scalar("SELECT status || ' ' || (closed_at IS NOT NULL)::text FROM streams WHERE "
                       "stream_id = 'stream-1'") == "CANCELED true");
    CHECK(lc.db.scalar("SELECT to_receiver::text || ' ' || to_sender::text FROM cancellations "
                       "WHERE stream_id = 'stream-1'") == "750000000 250000000");

    auto e4 = lc.next_event();
    CHECK(e4.seq == 4);
    CHECK(e4.event == "new-stream");
    CHECK(e4.rooms == std::vector<std::string>{"stream-" + kG, "stream-" + kC});
    CHECK(e4.data["streamId"] == "stream-1");
    CHECK(e4.data["sender"] == kG);
    CHECK(e4.data["receiver"] == kC);
    CHECK(e4.data["amount"] == "750000000");  // total - toSender
    CHECK(e4.data["status"] == "CANCELED");

    // every outbox row is committed, and the publish cursor moves past all of them
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == 4);
    for (int i = 0; i < 100 && lc.db.count("SELECT last_seq FROM pulse_publish_cursor") < 4; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(lc.db.count("SELECT last_seq FROM pulse_publish_cursor") == 4);

    lc.expect_no_event();
    lc.check_received_against_schema();
    CHECK(lc.stop() == 0);
}

TEST_CASE("same sender and receiver: one room; muxed and i128-max amounts travel intact",
          "[integration]") {
    Lifecycle lc;
    const std::string max = "170141183460469231731687303715884105727";
    auto r = post_json(lc.port(), "/api/test/test-stream",
                       {{"streamId", "self"}, {"sender", kM}, {"receiver", kM}, {"amount", max}});
    REQUIRE(r.status == 200);
    auto e = lc.next_event();
    CHECK(e.rooms == std::vector<std::string>{"stream-" + kM});
    CHECK(e.data["amount"] == max);
    CHECK(lc.db.scalar("SELECT amount::text FROM streams WHERE stream_id = 'self'") == max);

    REQUIRE(
        post_json(lc.port(), "/api/test/test-withdrawal", {{"streamId", "self"}, {"amount", max}})
            .status == 200);
    CHECK(lc.next_event().data["newBalance"] == max);
    lc.check_received_against_schema();
    CHECK(lc.stop() == 0);
}

TEST_CASE("re-posting the same stream with the same parties is idempotent", "[integration]") {
    Lifecycle lc;
    json stream = {{"streamId", "again"}, {"sender", kG}, {"receiver", kC}, {"amount", "10"}};
    REQUIRE(post_json(lc.port(), "/api/test/test-stream", stream).status == 200);
    lc.next_event();
    auto again = post_json(lc.port(), "/api/test/test-stream", stream);
    REQUIRE(again.status == 200);
    CHECK(again.json()["success"] == true);
    CHECK(again.json()["created"] == false);
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 1);
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == 1);
    lc.expect_no_event();
    CHECK(lc.stop() == 0);
}
