#include <catch2/catch.hpp>

#include "engine/packet.hpp"

using namespace pulse::engine;

TEST_CASE("every packet type decodes from its digit", "[engine][packet]") {
    const char* digits = "0123456";
    for (int i = 0; i < 7; ++i) {
        const std::string text = std::string(1, digits[i]) + "data";
        auto p = decode_packet(text);
        REQUIRE(p);
        CHECK(static_cast<char>(p->type) == digits[i]);
        CHECK(p->data == "data");
        CHECK_FALSE(p->binary);
        CHECK(encode_packet(*p) == text);
    }
}

TEST_CASE("invalid packets are refused", "[engine][packet]") {
    // "babc": base64 whose length is not a multiple of 4.
    for (const char* bad : {"", "7", "x4", "/", "b!!!!", "babc"}) {
        INFO(bad);
        CHECK_FALSE(decode_packet(bad));
    }
}

TEST_CASE("binary message is b + base64", "[engine][packet]") {
    const Packet p{PacketType::message, std::string("\x01\x02\x03\x04", 4), true};
    CHECK(encode_packet(p) == "bAQIDBA==");
    auto back = decode_packet("bAQIDBA==");
    REQUIRE(back);
    CHECK(*back == p);
    auto empty = decode_packet("b");
    REQUIRE(empty);
    CHECK(empty->binary);
    CHECK(empty->data.empty());
}

TEST_CASE("payload joins with record separator and splits back", "[engine][payload]") {
    const std::vector<Packet> packets{{PacketType::message, "hello", false},
                                      {PacketType::message, std::string("\x00\xff", 2), true},
                                      {PacketType::ping, "", false},
                                      {PacketType::message, "\xe2\x82\xac", false}};
    const std::string body = encode_payload(packets);
    CHECK(body ==
          "4hello\x1e"
          "bAP8=\x1e"
          "2\x1e"
          "4\xe2\x82\xac");
    auto back = decode_payload(body);
    REQUIRE(back);
    CHECK(*back == packets);
}

TEST_CASE("payload with one bad part is refused as a whole", "[engine][payload]") {
    CHECK_FALSE(decode_payload(""));
    CHECK_FALSE(decode_payload("4a\x1e"));  // trailing separator: empty packet
    CHECK_FALSE(
        decode_payload("4a\x1e\x1e"
                       "4b"));  // empty packet in the middle
    CHECK_FALSE(
        decode_payload("4a\x1e"
                       "9b"));
    auto single = decode_payload("4");
    REQUIRE(single);
    REQUIRE(single->size() == 1);
    CHECK(single->front().data.empty());
}
