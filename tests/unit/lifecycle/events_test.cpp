#include <catch2/catch.hpp>

#include "domain/events.hpp"

using namespace pulse::lifecycle;

TEST_CASE("new-stream goes to both parties' rooms in the documented key order", "[events]") {
    auto e = new_stream_event({"s1", "GA", "CB", "100", "ACTIVE"}, "2026-11-26T09:30:00.123Z");
    CHECK(e.event == "new-stream");
    CHECK(e.rooms == std::vector<std::string>{"stream-GA", "stream-CB"});
    CHECK(
        e.data ==
        R"({"streamId":"s1","sender":"GA","receiver":"CB","amount":"100","status":"ACTIVE","timestamp":"2026-11-26T09:30:00.123Z"})");
}

TEST_CASE("new-stream to oneself names the room once", "[events]") {
    auto e = new_stream_event({"s1", "GA", "GA", "1", "CANCELED"}, "t");
    CHECK(e.rooms == std::vector<std::string>{"stream-GA"});
}

TEST_CASE("balance-update goes to the receiver only", "[events]") {
    auto e = balance_update_event("CB", "42", "t");
    CHECK(e.event == "balance-update");
    CHECK(e.rooms == std::vector<std::string>{"stream-CB"});
    CHECK(e.data == R"({"address":"CB","newBalance":"42","timestamp":"t"})");
}
