#include <catch2/catch.hpp>

#include "core/sio_message.hpp"

using namespace pulse::bench;

TEST_CASE("Engine.IO packet types") {
    REQUIRE(classify_message("0{\"sid\":\"x\"}").kind == SioKind::eio_open);
    REQUIRE(classify_message("2").kind == SioKind::eio_ping);
    REQUIRE(classify_message("1").kind == SioKind::eio_close);
    REQUIRE(classify_message("6").kind == SioKind::eio_noop);
    REQUIRE(classify_message("").kind == SioKind::malformed);
}

TEST_CASE("Socket.IO packet types inside message packets") {
    REQUIRE(classify_message("40").kind == SioKind::sio_connect);
    REQUIRE(classify_message("40{\"sid\":\"abc\"}").kind == SioKind::sio_connect);
    REQUIRE(classify_message("41").kind == SioKind::sio_disconnect);
    REQUIRE(classify_message("44{\"message\":\"no\"}").kind == SioKind::sio_connect_error);
    REQUIRE(classify_message("431[]").kind == SioKind::sio_ack);
}

TEST_CASE("events: name and the rest, with or without an ack id") {
    auto m = classify_message("42[\"new-stream\",{\"streamId\":\"s1\"}]");
    REQUIRE(m.kind == SioKind::sio_event);
    REQUIRE(m.event == "new-stream");
    REQUIRE(m.rest == ",{\"streamId\":\"s1\"}]");
    auto a = classify_message("4212[\"joined-room\",{}]");
    REQUIRE(a.kind == SioKind::sio_event);
    REQUIRE(a.event == "joined-room");
    REQUIRE(classify_message("42{}").kind == SioKind::malformed);
    REQUIRE(classify_message("42[\"unterminated").kind == SioKind::malformed);
}

TEST_CASE("string fields are whole keys only") {
    const std::string json =
        R"({"xstreamId":"no","streamId":"pb-1","sender":"GA","receiver":"GB","amount":"7"})";
    REQUIRE(string_field(json, "streamId") == "pb-1");
    REQUIRE(string_field(json, "sender") == "GA");
    REQUIRE(string_field(json, "receiver") == "GB");
    REQUIRE(string_field(json, "missing").empty());
    REQUIRE(string_field(R"({"a":"x\"y"})", "a").empty());     // escapes are not ours
    REQUIRE(string_field(R"({"n":5,"s":"t"})", "n").empty());  // not a string value
}
