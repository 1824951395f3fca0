// pulse_apply_commands called directly with a mixed batch: one result row per command in array
// order, seqs consecutive over the commands that wrote an event and none for the others, and
// the outbox rows in the same order. The batch starts and ends with refused commands, so a
// result or an outbox row shifted by one against its command shows.
#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

TEST_CASE("a mixed batch: results and outbox rows line up with their commands",
          "[integration][batch]") {
    Lifecycle lc;
    const auto create = [](const std::string& id, const std::string& amount) {
        return json{{"op", "create"}, {"streamId", id},   {"sender", kG},
                    {"receiver", kC}, {"amount", amount}, {"timestamp", "t"}};
    };
    const auto withdraw = [](const std::string& id, const std::string& amount) {
        return json{{"op", "withdraw"}, {"streamId", id}, {"amount", amount}, {"timestamp", "t"}};
    };
    const json batch = json::array({
        withdraw("none", "1"),  // not_found
        create("a", "10"),      // created, seq 1
        create("a", "10"),      // unchanged
        create("a", "11"),      // conflict amount
        withdraw("a", "4"),     // done, seq 2
        json{{"op", "cancel"},
             {"streamId", "a"},
             {"toReceiver", "1"},
             {"toSender", "2"},
             {"timestamp", "t"}},  // done, seq 3
        withdraw("a", "1"),        // conflict: canceled
        create("b", "5"),          // created, seq 4
        withdraw("none", "1"),     // not_found
    });
    const std::string rows = lc.db.scalar(
        "SELECT string_agg(idx || ':' || outcome || ':' || coalesce(field, '') || ':' || "
        "coalesce(seq::text, '-'), ' ' ORDER BY idx) FROM pulse_apply_commands($j$" +
        batch.dump() + "$j$)");
    CHECK(rows ==
          "0:not_found:streamId:- 1:created::1 2:unchanged::- 3:conflict:amount:- 4:done::2 "
          "5:done::3 6:conflict:streamId:- 7:created::4 8:not_found:streamId:-");
    CHECK(lc.db.scalar("SELECT string_agg(seq || ':' || event || ':' || "
                       "coalesce(data->>'streamId', data->>'newBalance'), ' ' ORDER BY seq) "
                       "FROM pulse_outbox") ==
          "1:new-stream:a 2:balance-update:4 3:new-stream:a 4:new-stream:b");
    CHECK(lc.db.scalar("SELECT last_seq FROM pulse_outbox_counter") == "4");
}
