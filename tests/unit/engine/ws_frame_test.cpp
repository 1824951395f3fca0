#include <catch2/catch.hpp>

#include "engine/ws_frame.hpp"

using namespace pulse::engine;
using pulse::engine::ws::Event;

namespace {
// A client frame: masked with a fixed key, as RFC 6455 requires of clients.
std::string client_frame(std::uint8_t first_byte, std::string_view payload) {
    std::string out;
    out.push_back(static_cast<char>(first_byte));
    const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(0x80 | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(payload.size() >> (8 * i)));
    }
    out.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<char>(payload[i] ^ mask[i & 3]));
    return out;
}
// The reader's next event is `kind` with `payload`.
void expect_event(ws::Reader& reader, Event::Kind kind, std::string_view payload) {
    auto ev = reader.next();
    REQUIRE(ev);
    CHECK(ev->kind == kind);
    CHECK(ev->payload == payload);
}
}  // namespace

TEST_CASE("server frame headers use the shortest length form", "[engine][ws]") {
    char h[ws::max_header_size];
    CHECK(ws::encode_header(h, ws::text, 0) == 2);
    CHECK(static_cast<unsigned char>(h[0]) == 0x81);
    CHECK(h[1] == 0);
    CHECK(ws::encode_header(h, ws::binary, 125) == 2);
    CHECK(static_cast<unsigned char>(h[0]) == 0x82);
    CHECK(ws::encode_header(h, ws::text, 126) == 4);
    CHECK(h[1] == 126);
    CHECK(ws::encode_header(h, ws::text, 65535) == 4);
    CHECK(ws::encode_header(h, ws::text, 65536) == 10);
    CHECK(h[1] == 127);
    CHECK(h[7] == 1);  // 65536 = 0x00..010000
    CHECK(ws::encode_frame(ws::text, "hi") == std::string("\x81\x02hi", 4));
    CHECK(ws::encode_close_frame(1009) == std::string("\x88\x02\x03\xf1", 4));
}

TEST_CASE("accept key matches RFC 6455 example", "[engine][ws]") {
    CHECK(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("reader decodes masked frames fed byte by byte", "[engine][ws]") {
    ws::Reader reader(1000);
    const std::string bytes =
        client_frame(0x81, "4hello") + client_frame(0x82, std::string("\0\1", 2));
    for (char c : bytes) reader.feed(std::string_view(&c, 1));
    expect_event(reader, Event::text, "4hello");
    expect_event(reader, Event::binary, std::string("\0\1", 2));
    CHECK_FALSE(reader.next());
}

TEST_CASE("reader reassembles fragments around a control frame", "[engine][ws]") {
    ws::Reader reader(1000);
    reader.feed(client_frame(0x01, "4hel") + client_frame(0x89, "p") + client_frame(0x80, "lo"));
    expect_event(reader, Event::ping, "p");
    expect_event(reader, Event::text, "4hello");
}

TEST_CASE("reader length forms 16 and 64 bit", "[engine][ws]") {
    ws::Reader reader(200000);
    const std::string mid(300, 'x'), big(70000, 'y');
    reader.feed(client_frame(0x81, mid) + client_frame(0x82, big));
    auto a = reader.next();
    REQUIRE(a);
    CHECK(a->payload == mid);
    auto b = reader.next();
    REQUIRE(b);
    CHECK(b->payload == big);
}

TEST_CASE("reader reports close with code and reason", "[engine][ws]") {
    ws::Reader reader(1000);
    reader.feed(client_frame(0x88, std::string("\x03\xe8"
                                               "bye",
                                               5)));
    auto c = reader.next();
    REQUIRE(c);
    CHECK(c->kind == Event::close);
    CHECK(c->code == 1000);
    CHECK(c->payload == "bye");
    ws::Reader empty(1000);
    empty.feed(client_frame(0x88, ""));
    auto e = empty.next();
    REQUIRE(e);
    CHECK(e->code == 1005);
}

TEST_CASE("reader errors: too big, unmasked, bad opcode, bad fragments", "[engine][ws]") {
    auto first_error = [](std::string bytes, std::size_t max = 10) -> std::uint16_t {
        ws::Reader reader(max);
        reader.feed(bytes);
        for (int i = 0; i < 10; ++i) {
            auto ev = reader.next();
            if (!ev) return 0;
            if (ev->kind == Event::error) return ev->code;
        }
        return 0;
    };
    CHECK(first_error(client_frame(0x81, std::string(11, 'a'))) == ws::close_too_big);
    // Too big across fragments, detected from the header before the payload arrives.
    CHECK(first_error(client_frame(0x01, "123456") + client_frame(0x80, "123456").substr(0, 6)) ==
          ws::close_too_big);
    CHECK(first_error(std::string("\x81\x02hi", 4)) == ws::close_protocol_error);  // unmasked
    CHECK(first_error(client_frame(0x83, "x")) == ws::close_protocol_error);       // opcode 3
    CHECK(first_error(client_frame(0x80, "x")) == ws::close_protocol_error);  // orphan continuation
    CHECK(first_error(client_frame(0x01, "a") + client_frame(0x81, "b")) ==
          ws::close_protocol_error);
    CHECK(first_error(client_frame(0x09, "a")) == ws::close_protocol_error);  // fragmented ping
    CHECK(first_error(client_frame(0xC1, "a")) ==
          ws::close_protocol_error);  // RSV1 without deflate
    CHECK(first_error(client_frame(0x81, "ok")) == 0);
}

TEST_CASE("reader: text must be UTF-8 (1007), close codes must be ones a peer may send (1002)",
          "[engine][ws]") {
    auto first = [](std::string bytes) -> std::optional<Event> {
        ws::Reader reader(1 << 20);
        reader.feed(bytes);
        for (int i = 0; i < 10; ++i) {
            auto ev = reader.next();
            if (!ev || ev->kind == Event::error || ev->kind == Event::close) return ev;
        }
        return std::nullopt;
    };
    // Invalid UTF-8 in a text message, whole or split across fragments: overlong, surrogate,
    // above U+10FFFF, a stray continuation byte, a truncated sequence.
    for (const std::string& bad :
         {std::string("4\xc0\xaf"), std::string("4\xed\xa0\x80"), std::string("4\xf4\x90\x80\x80"),
          std::string("4\x80"), std::string("4\xe2\x82")}) {
        auto ev = first(client_frame(0x81, bad));
        REQUIRE(ev);
        CHECK(ev->kind == Event::error);
        CHECK(ev->code == ws::close_invalid_payload);
    }
    auto split = first(client_frame(0x01, "4\xe2") + client_frame(0x80, "\x82"));
    REQUIRE(split);
    CHECK(split->kind == Event::error);
    CHECK(split->code == ws::close_invalid_payload);
    // Valid multi-byte text (a sequence split between fragments) and binary with any bytes pass.
    ws::Reader ok(1 << 20);
    ok.feed(client_frame(0x01, "4\xe2\x82") + client_frame(0x80, "\xac \xf0\x9f\x98\x80") +
            client_frame(0x82, std::string("\xc0\xff", 2)));
    auto text = ok.next();
    REQUIRE(text);
    CHECK(text->kind == Event::text);
    CHECK(text->payload == "4\xe2\x82\xac \xf0\x9f\x98\x80");
    auto bin = ok.next();
    REQUIRE(bin);
    CHECK(bin->kind == Event::binary);

    auto close_with = [&](std::uint16_t code, std::string reason = {}) {
        std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        return first(client_frame(0x88, payload + reason));
    };
    for (std::uint16_t bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
        INFO(bad);
        auto ev = close_with(bad);
        REQUIRE(ev);
        CHECK(ev->kind == Event::error);
        CHECK(ev->code == ws::close_protocol_error);
    }
    for (std::uint16_t good : {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999}) {
        INFO(good);
        auto ev = close_with(good, "bye");
        REQUIRE(ev);
        CHECK(ev->kind == Event::close);
        CHECK(ev->code == good);
    }
    auto bad_reason = close_with(1000, "\xff");
    REQUIRE(bad_reason);
    CHECK(bad_reason->kind == Event::error);
    CHECK(bad_reason->code == ws::close_invalid_payload);
}
