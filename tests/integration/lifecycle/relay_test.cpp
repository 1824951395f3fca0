// The elected publisher on takeover: a row committed but never published (the process died
// between commit and publish) is published after a restart, and the cursor moves past it.
#include "support/fixture.hpp"

using namespace pulse::test;

TEST_CASE("an unpublished outbox row is published after restart", "[integration][relay]") {
    Lifecycle lc(Env{{"PULSE_OUTBOX_RELAY_MS", "300"}});
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "r1"}, {"sender", kG}, {"receiver", kC}, {"amount", "10"}})
                .status == 200);
    auto first = lc.next_event();
    REQUIRE(first.seq == 1);
    REQUIRE(lc.stop() == 0);

    // Simulate the crash window: the transaction committed (domain row + outbox row, counter
    // advanced) but nothing was sent.
    lc.db.exec(
        "BEGIN;"
        "INSERT INTO withdrawals (stream_id, amount) VALUES ('r1', 3);"
        "UPDATE streams SET withdrawn = 3 WHERE stream_id = 'r1';"
        "UPDATE pulse_outbox_counter SET last_seq = last_seq + 1;"
        "INSERT INTO pulse_outbox (seq, event, rooms, data) VALUES (2, 'balance-update', "
        "ARRAY['stream-" +
        kC + "'], '{\"address\":\"" + kC +
        "\",\"newBalance\":\"3\",\"timestamp\":\"2026-11-26T10:00:00.000Z\"}');"
        "COMMIT;");
    REQUIRE(lc.db.count("SELECT last_seq FROM pulse_publish_cursor") == 1);

    lc.start(Env{{"PULSE_OUTBOX_RELAY_MS", "300"}});
    auto replayed = lc.next_event(std::chrono::seconds(10));
    CHECK(replayed.seq == 2);
    CHECK(replayed.epoch == first.epoch);  // same database, same epoch
    CHECK(replayed.event == "balance-update");
    CHECK(replayed.rooms == std::vector<std::string>{"stream-" + kC});
    CHECK(replayed.data["address"] == kC);
    CHECK(replayed.data["newBalance"] == "3");
    CHECK(replayed.data["timestamp"] == "2026-11-26T10:00:00.000Z");

    for (int i = 0; i < 100 && lc.db.count("SELECT last_seq FROM pulse_publish_cursor") < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(lc.db.count("SELECT last_seq FROM pulse_publish_cursor") == 2);

    // Published once: not sent again, and the next live event follows on.
    lc.expect_no_event(std::chrono::milliseconds(800));
    REQUIRE(post_json(lc.port(), "/api/test/test-withdrawal", {{"streamId", "r1"}, {"amount", "2"}})
                .status == 200);
    auto next = lc.next_event();
    CHECK(next.seq == 3);
    CHECK(next.data["newBalance"] == "5");
    lc.check_received_against_schema();
    CHECK(lc.stop() == 0);
}
