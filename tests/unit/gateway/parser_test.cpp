// The Socket.IO v5 codec: every packet type round-trips, and every malformed packet the issue and
// socket.io-parser's own test suite name is rejected with an error (never an exception).
#include <catch2/catch.hpp>

#include "parser/decoder.hpp"
#include "parser/encoder.hpp"
#include "parser/flat_array.hpp"

using namespace pulse::parser;

namespace {

Packet decode_one(std::string_view text) {
    auto r = decode_text(text);
    INFO("decoding " << text << ": " << r.error);
    REQUIRE(r);
    return *r.packet;
}

void require_rejected(std::string_view text) {
    INFO("input: " << text);
    Decoder d;
    auto r = d.add_text(text);
    REQUIRE(r.status == Decoder::Result::Status::error);
    REQUIRE_FALSE(r.error.empty());
}

Json bin(std::string_view bytes) {
    return Json::binary(Json::binary_t::container_type(bytes.begin(), bytes.end()));
}

}  // namespace

TEST_CASE("encodes each packet type like socket.io-parser") {
    CHECK(encode({PacketType::connect, "/", {}, {}}).text == "0");
    CHECK(encode({PacketType::connect, "/admin", {}, Json{{"token", "123"}}}).text ==
          R"(0/admin,{"token":"123"})");
    CHECK(encode({PacketType::disconnect, "/admin", {}, {}}).text == "1/admin,");
    CHECK(encode({PacketType::event, "/", {}, Json::array({"hello", 1})}).text ==
          R"(2["hello",1])");
    CHECK(encode({PacketType::event, "/admin", 456, Json::array({"project:delete", 123})}).text ==
          R"(2/admin,456["project:delete",123])");
    CHECK(encode({PacketType::ack, "/admin", 456, Json::array()}).text == "3/admin,456[]");
    CHECK(encode({PacketType::connect_error, "/", {}, Json{{"message", "Not authorized"}}}).text ==
          R"(4{"message":"Not authorized"})");
}

TEST_CASE("JSON output is compact and keeps key order") {
    Json data = Json::object();
    data["streamId"] = "s-1";
    data["sender"] = "GA";
    data["amount"] = "10";
    data["status"] = "ACTIVE";
    CHECK(encode({PacketType::event, "/", {}, Json::array({"new-stream", data})}).text ==
          R"(2["new-stream",{"streamId":"s-1","sender":"GA","amount":"10","status":"ACTIVE"}])");
    // Decoding keeps the sender's order too.
    auto p = decode_one(R"(2["x",{"z":1,"a":2,"m":3}])");
    CHECK(p.data->at(1).dump() == R"({"z":1,"a":2,"m":3})");
}

TEST_CASE("broadcast fast path matches the generic encoder") {
    const Json data = Json::parse(R"({"address":"GA","newBalance":"5"})");
    const auto generic =
        encode({PacketType::event, "/", {}, Json::array({"balance-update", data})});
    CHECK(encode_event_text("4", "/", "balance-update", data.dump()) == "4" + generic.text);
    const auto custom = encode({PacketType::event, "/c", {}, Json::array({"e", data})});
    CHECK(encode_event_text("", "/c", "e", data.dump()) == custom.text);
}

TEST_CASE("binary data becomes placeholders plus attachments, and back") {
    Packet p{PacketType::event, "/", 7,
             Json::array({"upload", bin("\x01\x02"), Json{{"f", bin("z")}}})};
    auto e = encode(p);
    CHECK(e.text ==
          R"(52-7["upload",{"_placeholder":true,"num":0},{"f":{"_placeholder":true,"num":1}}])");
    REQUIRE(e.attachments.size() == 2);
    CHECK(e.attachments[0] == std::string("\x01\x02"));
    CHECK(e.attachments[1] == "z");

    Decoder d;
    CHECK(d.add_text(e.text).status == Decoder::Result::Status::incomplete);
    CHECK(d.awaiting_attachments());
    CHECK(d.add_binary(e.attachments[0]).status == Decoder::Result::Status::incomplete);
    auto r = d.add_binary(e.attachments[1]);
    REQUIRE(r.status == Decoder::Result::Status::packet);
    CHECK(r.packet->type == PacketType::binary_event);
    CHECK(r.packet->id == 7u);
    CHECK(r.packet->data == p.data);
    CHECK_FALSE(d.awaiting_attachments());

    // An ACK with binary goes as BINARY_ACK.
    CHECK(encode({PacketType::ack, "/", 3, Json::array({bin("a")})}).text ==
          R"(61-3[{"_placeholder":true,"num":0}])");
}

TEST_CASE("round trips of every packet type") {
    const std::vector<Packet> packets = {
        {PacketType::connect, "/", {}, {}},
        {PacketType::connect, "/custom", {}, Json{{"token", "abc"}}},
        {PacketType::connect, "/", {}, Json{{"sid", "xyz"}}},
        {PacketType::disconnect, "/", {}, {}},
        {PacketType::disconnect, "/custom", {}, {}},
        {PacketType::event, "/", {}, Json::array({"message", 1, "2", Json{{"3", {true}}}})},
        {PacketType::event, "/custom", 12, Json::array({"e"})},
        {PacketType::ack, "/", 0, Json::array({nullptr, 2.5, "x"})},
        {PacketType::connect_error, "/x", {}, Json{{"message", "Invalid namespace"}}},
        {PacketType::connect_error, "/", {}, "text error"},
        {PacketType::binary_event, "/", 1, Json::array({"b", bin(std::string("\0\xff", 2))})},
        {PacketType::binary_ack, "/n", 99, Json::array({bin(""), bin("q")})},
    };
    for (const auto& p : packets) {
        auto e = encode(p);
        INFO(e.text);
        Decoder d;
        auto r = d.add_text(e.text);
        for (const auto& a : e.attachments) {
            REQUIRE(r.status == Decoder::Result::Status::incomplete);
            r = d.add_binary(a);
        }
        REQUIRE(r.status == Decoder::Result::Status::packet);
        CHECK(*r.packet == p);
    }
}

TEST_CASE("decodes the reference client's packets") {
    auto c = decode_one("0");
    CHECK(c.type == PacketType::connect);
    CHECK(c.nsp == "/");
    CHECK_FALSE(c.data);

    auto cn = decode_one(R"(0/custom,{"token":"x"})");
    CHECK(cn.nsp == "/custom");
    CHECK(cn.data->at("token") == "x");

    auto ack = decode_one(R"(2/custom,456["message-with-ack",1])");
    CHECK(ack.id == 456u);
    CHECK(ack.nsp == "/custom");

    auto nsp_no_comma = decode_one("1/custom");
    CHECK(nsp_no_comma.nsp == "/custom");

    auto numeric_event = decode_one("2[1,2]");
    CHECK(numeric_event.data->at(0) == 1);
}

TEST_CASE("malformed packets are rejected") {
    for (const char* bad : {
             "",     // nothing
             "7",    // unknown type
             "a",    // not a digit
             "abc",  // the spec test "unknown packet type"
             "2{}",  // the issue's `42{}` minus the Engine.IO "4": EVENT must carry an array
             R"(2abc["message-with-ack",1])",  // ack id not numeric
             R"(2[{"toString":"foo"}])",       // event name not a string
             "2[]",                            // no event name
             R"(2["connect"])",                // reserved names
             R"(2["disconnect",1])",
             R"(2["disconnecting"])",
             R"(2["connect_error"])",
             R"(2["newListener"])",
             R"(2["removeListener"])",
             "2[null]",
             R"(2["a",])",    // broken JSON
             R"(2["a"]x)",    // trailing garbage
             R"(0"string")",  // CONNECT payload must be an object
             "0[]",
             R"(1{"a":1})",  // DISCONNECT carries nothing
             "3{}",          // ACK payload must be an array
             "4[1]",         // CONNECT_ERROR: object or string
             R"(5["a"])",    // binary without attachment count
             R"(5x-["a"])",
             R"(511-["a"])",                // more than 10 attachments
             "2123456789012345678[\"a\"]",  // absurd ack id
             "2[\"\xff\"]",                 // invalid UTF-8
         }) {
        require_rejected(bad);
    }
    // Deep nesting is refused before it is built.
    std::string deep = "2[\"e\"," + std::string(100, '[') + std::string(100, ']') + "]";
    require_rejected(deep);
    // ...while moderate nesting is fine.
    std::string ok = "2[\"e\"," + std::string(30, '[') + std::string(30, ']') + "]";
    CHECK(decode_text(ok));
}

TEST_CASE("bad placeholder indexes are rejected") {
    for (const char* bad : {
             R"(51-["a",{"_placeholder":true,"num":1}])",    // index past the attachments
             R"(51-["a",{"_placeholder":true,"num":-1}])",   // negative
             R"(51-["a",{"_placeholder":true,"num":"0"}])",  // not a number
             R"(51-["a",{"_placeholder":true,"num":0.5}])",  // not an integer
             R"(51-["a",{"_placeholder":true}])",            // missing num
         }) {
        INFO(bad);
        Decoder d;
        REQUIRE(d.add_text(bad).status == Decoder::Result::Status::incomplete);
        auto r = d.add_binary("x");
        CHECK(r.status == Decoder::Result::Status::error);
    }
    Decoder zero;
    CHECK(zero.add_text(R"(50-["a",{"_placeholder":true,"num":0}])").status ==
          Decoder::Result::Status::error);
}

TEST_CASE("binary ordering errors are rejected") {
    Decoder d;
    CHECK(d.add_binary("stray").status == Decoder::Result::Status::error);
    REQUIRE(d.add_text(R"(51-["a",{"_placeholder":true,"num":0}])").status ==
            Decoder::Result::Status::incomplete);
    CHECK(d.add_text(R"(2["b"])").status == Decoder::Result::Status::error);
}

TEST_CASE("ten attachments are allowed, the limit is configurable") {
    std::string text = "510-[\"a\"";
    for (int i = 0; i < 10; ++i)
        text += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
    text += "]";
    Decoder d;
    REQUIRE(d.add_text(text).status == Decoder::Result::Status::incomplete);
    Decoder::Result r;
    for (int i = 0; i < 10; ++i) r = d.add_binary(std::string(1, static_cast<char>('0' + i)));
    REQUIRE(r.status == Decoder::Result::Status::packet);
    CHECK(r.packet->data->at(10) == bin("9"));

    Decoder strict(2);
    CHECK(strict.add_text(R"(53-["a"])").status == Decoder::Result::Status::error);
}

TEST_CASE("flat string arrays take the fast path and equal the general parse") {
    for (std::string_view text : {R"([])", R"([""])", R"(["join-stream-room","GABC"])",
                                  R"(["a","b","c d ~!"])", R"(["]"])"}) {
        INFO(text);
        auto flat = parse_flat_string_array(text);
        REQUIRE(flat);
        CHECK(*flat == Json::parse(text));
    }
    const auto p = decode_one(R"(2["join-stream-room","GABC"])");
    CHECK(p.data == Json::parse(R"(["join-stream-room","GABC"])"));
}

TEST_CASE("anything but a flat string array is left to the general parser") {
    for (std::string_view text :
         {"", "[", "]", R"(["a")", R"(["a",])", R"([,"a"])", R"([ "a"])", R"(["a" ])",
          R"(["a\"b"])", R"(["a\u0041"])", "[\"caf\xc3\xa9\"]", "[\"tab\there\"]", R"([1])",
          R"(["a",1])", R"([["a"]])", R"({"a":"b"})", R"(["a"]x)", R"(["a""b"])"}) {
        INFO(text);
        CHECK_FALSE(parse_flat_string_array(text));
    }
    // Those still decode through the general path where they are valid JSON.
    CHECK(decode_one(R"(2[ "a" , "b\"c" ])").data == Json::parse(R"(["a","b\"c"])"));
    CHECK(decode_one("2[\"caf\xc3\xa9\"]").data == Json::parse("[\"caf\xc3\xa9\"]"));
    require_rejected(R"(2["a",])");
    require_rejected(R"(2[])");
    require_rejected(R"(2["connect"])");
}
