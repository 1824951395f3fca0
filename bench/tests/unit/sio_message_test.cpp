#include <catch2/catch.hpp>
#include <utility>

#include "core/sio_message.hpp"

using namespace pulse::bench;

TEST_CASE("Engine.IO packet types, and Socket.IO packet types inside message packets") {
    const std::pair<const char*, SioKind> cases[] = {
        {"0{\"sid\":\"x\"}", SioKind::eio_open},
        {"2", SioKind::eio_ping},
        {"1", SioKind::eio_close},
        {"6", SioKind::eio_noop},
        {"", SioKind::malformed},
        {"40", SioKind::sio_connect},
        {"40{\"sid\":\"abc\"}", SioKind::sio_connect},
        {"41", SioKind::sio_disconnect},
        {"44{\"message\":\"no\"}", SioKind::sio_connect_error},
        {"431[]", SioKind::sio_ack},
    };
    for (const auto& [text, kind] : cases) {
        INFO(text);
        REQUIRE(classify_message(text).kind == kind);
    }
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
