// Every error case: the status, the JSON error (naming the field), and no row, no bus message.
#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

namespace {
struct ErrorCase {
    const char* name;
    const char* target;
    std::string body;
    const char* content_type;
    int status;
    const char* field;  // nullptr: no field expected
};

std::int64_t all_rows(TestDatabase& db) {
    return db.count(
        "SELECT (SELECT count(*) FROM streams) + (SELECT count(*) FROM withdrawals) + "
        "(SELECT count(*) FROM cancellations) + (SELECT count(*) FROM pulse_outbox)");
}
}  // namespace

TEST_CASE("error cases write no row and publish no event", "[integration]") {
    Lifecycle lc;
    // Fixtures: an active stream (total 100, 60 withdrawn) and a canceled one.
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "live"}, {"sender", kG}, {"receiver", kC}, {"amount", "100"}})
                .status == 200);
    REQUIRE(
        post_json(lc.port(), "/api/test/test-withdrawal", {{"streamId", "live"}, {"amount", "60"}})
            .status == 200);
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "dead"}, {"sender", kG}, {"receiver", kC}, {"amount", "100"}})
                .status == 200);
    REQUIRE(post_json(lc.port(), "/api/test/test-cancellation",
                      {{"streamId", "dead"}, {"toReceiver", "40"}, {"toSender", "60"}})
                .status == 200);
    for (int i = 0; i < 4; ++i) lc.next_event();
    const auto rows_before = all_rows(lc.db);
    const auto withdrawn_before =
        lc.db.scalar("SELECT withdrawn::text FROM streams WHERE stream_id = 'live'");

    auto stream = [](json j) { return j.dump(); };
    const json good = {{"streamId", "new"}, {"sender", kG}, {"receiver", kC}, {"amount", "5"}};
    auto with = [&](const char* key, json value) {
        json j = good;
        j[key] = std::move(value);
        return j.dump();
    };
    auto without = [&](const char* key) {
        json j = good;
        j.erase(key);
        return j.dump();
    };
    const std::vector<ErrorCase> cases = {
        {"bad JSON", "/api/test/test-stream", "{\"streamId\":", "application/json", 400, nullptr},
        {"JSON array body", "/api/test/test-stream", "[]", "application/json", 400, nullptr},
        {"wrong content type", "/api/test/test-stream", good.dump(), "text/plain", 415, nullptr},
        {"missing streamId", "/api/test/test-stream", without("streamId"), "application/json", 400,
         "streamId"},
        {"empty streamId", "/api/test/test-stream", with("streamId", ""), "application/json", 400,
         "streamId"},
        {"numeric streamId", "/api/test/test-stream", with("streamId", 7), "application/json", 400,
         "streamId"},
        {"missing sender", "/api/test/test-stream", without("sender"), "application/json", 400,
         "sender"},
        {"bad sender checksum", "/api/test/test-stream",
         with("sender", "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGA"),
         "application/json", 400, "sender"},
        {"lower-case receiver", "/api/test/test-stream",
         with("receiver", "ga7qynf7sowq3glr2bgmzehxavirza4kvwltjjfc7mgxua74p7ujvsgz"),
         "application/json", 400, "receiver"},
        {"missing amount", "/api/test/test-stream", without("amount"), "application/json", 400,
         "amount"},
        {"amount as JSON number", "/api/test/test-stream", with("amount", 5), "application/json",
         400, "amount"},
        {"negative amount", "/api/test/test-stream", with("amount", "-1"), "application/json", 400,
         "amount"},
        {"fractional amount", "/api/test/test-stream", with("amount", "1.5"), "application/json",
         400, "amount"},
        {"exponent amount", "/api/test/test-stream", with("amount", "1e3"), "application/json", 400,
         "amount"},
        {"hex amount", "/api/test/test-stream", with("amount", "0x10"), "application/json", 400,
         "amount"},
        {"space in amount", "/api/test/test-stream", with("amount", " 7"), "application/json", 400,
         "amount"},
        {"empty amount", "/api/test/test-stream", with("amount", ""), "application/json", 400,
         "amount"},
        {"amount above i128 max", "/api/test/test-stream",
         with("amount", "170141183460469231731687303715884105728"), "application/json", 400,
         "amount"},
        {"conflicting re-create (other receiver)", "/api/test/test-stream",
         stream({{"streamId", "live"}, {"sender", kG}, {"receiver", kM}, {"amount", "100"}}),
         "application/json", 409, "receiver"},
        {"conflicting re-create (other sender)", "/api/test/test-stream",
         stream({{"streamId", "live"}, {"sender", kM}, {"receiver", kC}, {"amount", "100"}}),
         "application/json", 409, "sender"},
        {"withdrawal on unknown stream", "/api/test/test-withdrawal",
         stream({{"streamId", "nope"}, {"amount", "1"}}), "application/json", 404, "streamId"},
        {"over-withdrawal", "/api/test/test-withdrawal",
         stream({{"streamId", "live"}, {"amount", "41"}}), "application/json", 409, "amount"},
        {"withdrawal with bad amount", "/api/test/test-withdrawal",
         stream({{"streamId", "live"}, {"amount", "-5"}}), "application/json", 400, "amount"},
        {"withdrawal after cancel", "/api/test/test-withdrawal",
         stream({{"streamId", "dead"}, {"amount", "1"}}), "application/json", 409, "streamId"},
        {"cancel twice", "/api/test/test-cancellation",
         stream({{"streamId", "dead"}, {"toReceiver", "1"}, {"toSender", "1"}}), "application/json",
         409, "streamId"},
        {"cancel unknown stream", "/api/test/test-cancellation",
         stream({{"streamId", "nope"}, {"toReceiver", "1"}, {"toSender", "1"}}), "application/json",
         404, "streamId"},
        {"toSender above total", "/api/test/test-cancellation",
         stream({{"streamId", "live"}, {"toReceiver", "0"}, {"toSender", "101"}}),
         "application/json", 409, "toSender"},
        {"cancel missing toReceiver", "/api/test/test-cancellation",
         stream({{"streamId", "live"}, {"toSender", "1"}}), "application/json", 400, "toReceiver"},
    };
    for (const auto& c : cases) {
        {
            auto reply = http_request(lc.port(), "POST", c.target, c.body, c.content_type);
            INFO(c.name << ": " << reply.status << " " << reply.body);
            CHECK(reply.status == c.status);
            CHECK(reply.content_type == "application/json");
            auto j = reply.json();
            CHECK(j.is_object());
            if (!j.is_object()) continue;
            CHECK(j.contains("error"));
            CHECK(j.value("error", "").size() > 0);
            if (c.field)
                CHECK(j.value("field", "") == c.field);
            else
                CHECK_FALSE(j.contains("field"));
            CHECK(all_rows(lc.db) == rows_before);
            CHECK(lc.db.scalar("SELECT withdrawn::text FROM streams WHERE stream_id = 'live'") ==
                  withdrawn_before);
            auto message = lc.bus->receive(std::chrono::milliseconds(100));
            CHECK_FALSE(message);
        }
    }
    // Nothing consumed a seq: the next event is exactly the one after the fixtures.
    REQUIRE(
        post_json(lc.port(), "/api/test/test-withdrawal", {{"streamId", "live"}, {"amount", "40"}})
            .status == 200);
    auto next = lc.next_event();
    CHECK(next.seq == 5);
    CHECK(next.data["newBalance"] == "100");
    CHECK(lc.stop() == 0);
}
