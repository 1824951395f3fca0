#include <catch2/catch.hpp>

#include "core/ws_frame.hpp"

using namespace pulse::bench::ws;

namespace {
std::string server_frame(std::uint8_t b0, const std::string& payload) {
    std::string f;
    f.push_back(static_cast<char>(b0));
    if (payload.size() < 126) {
        f.push_back(static_cast<char>(payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        f.push_back(126);
        f.push_back(static_cast<char>(payload.size() >> 8));
        f.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        f.push_back(127);
        for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<char>(payload.size() >> s));
    }
    return f + payload;
}
}  // namespace

TEST_CASE("client frames are masked and unmask to the payload") {
    std::string out;
    append_client_frame(out, Opcode::text, "40", {1, 2, 3, 4});
    REQUIRE(out.size() == 2 + 4 + 2);
    REQUIRE(static_cast<std::uint8_t>(out[0]) == 0x81);
    REQUIRE(static_cast<std::uint8_t>(out[1]) == (0x80 | 2));
    REQUIRE((out[6] ^ 1) == '4');
    REQUIRE((out[7] ^ 2) == '0');
}

TEST_CASE("client frame lengths use the 16 and 64 bit forms") {
    std::string out;
    append_client_frame(out, Opcode::text, std::string(300, 'a'), {0, 0, 0, 0});
    REQUIRE((static_cast<std::uint8_t>(out[1]) & 0x7F) == 126);
    REQUIRE(out.size() == 4 + 4 + 300);
    out.clear();
    append_client_frame(out, Opcode::binary, std::string(70000, 'a'), {0, 0, 0, 0});
    REQUIRE((static_cast<std::uint8_t>(out[1]) & 0x7F) == 127);
    REQUIRE(out.size() == 10 + 4 + 70000);
}

TEST_CASE("server frames parse at every length form and report partial input") {
    for (std::size_t n : {0u, 5u, 125u, 126u, 65535u, 65536u}) {
        const std::string f = server_frame(0x81, std::string(n, 'z'));
        auto h = parse_server_frame(f, 1 << 20);
        REQUIRE(h.status == FrameHeader::Status::ok);
        REQUIRE(h.fin);
        REQUIRE(h.opcode == Opcode::text);
        REQUIRE(h.header_size + h.payload_size == f.size());
        for (std::size_t cut = 0; cut < f.size(); cut += 1 + cut / 2) {
            REQUIRE(parse_server_frame(std::string_view(f).substr(0, cut), 1 << 20).status ==
                    FrameHeader::Status::need_more);
        }
    }
}

TEST_CASE("server frame errors: masked, reserved bits, too large") {
    std::string masked = server_frame(0x81, "ab");
    masked[1] = static_cast<char>(masked[1] | 0x80);
    REQUIRE(parse_server_frame(masked, 100).status == FrameHeader::Status::error);
    REQUIRE(parse_server_frame(server_frame(0xC1, "ab"), 100).status == FrameHeader::Status::error);
    REQUIRE(parse_server_frame(server_frame(0x81, std::string(200, 'x')), 100).status ==
            FrameHeader::Status::error);
}

TEST_CASE("two frames back to back are read one at a time") {
    const std::string two = server_frame(0x81, "42[\"a\"]") + server_frame(0x89, "p");
    auto h = parse_server_frame(two, 100);
    REQUIRE(h.status == FrameHeader::Status::ok);
    auto rest = std::string_view(two).substr(h.header_size + h.payload_size);
    auto h2 = parse_server_frame(rest, 100);
    REQUIRE(h2.status == FrameHeader::Status::ok);
    REQUIRE(h2.opcode == Opcode::ping);
    REQUIRE(h2.payload_size == 1);
}

TEST_CASE("upgrade request and response head") {
    const std::string req = upgrade_request("127.0.0.1:9", "/socket.io/?EIO=4&transport=websocket");
    REQUIRE(req.rfind("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n", 0) == 0);
    REQUIRE(req.find("Sec-WebSocket-Version: 13\r\n") != std::string::npos);
    REQUIRE(req.substr(req.size() - 4) == "\r\n\r\n");
    bool switched = false;
    REQUIRE(response_head_size("HTTP/1.1 101 Switching", switched) == 0);
    const std::string ok =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x01x";
    REQUIRE(response_head_size(ok, switched) == ok.size() - 3);
    REQUIRE(switched);
    response_head_size("HTTP/1.1 400 Bad Request\r\n\r\n", switched);
    REQUIRE_FALSE(switched);
}

TEST_CASE("server frames written by the floor parse back; client frames unmask") {
    for (std::size_t n : {0u, 5u, 125u, 126u, 300u, 70000u}) {
        INFO(n);
        const std::string payload(n, 'p');
        std::string server;
        append_server_frame(server, Opcode::text, payload);
        REQUIRE(server == server_frame(0x81, payload));
        std::string client;
        append_client_frame(client, Opcode::text, payload, {9, 8, 7, 6});
        const auto h = parse_client_frame(client, 1 << 20);
        REQUIRE(h.status == FrameHeader::Status::ok);
        REQUIRE(h.header_size + h.payload_size == client.size());
        REQUIRE(client_payload(client, h) == payload);
        // Partial input is "need more", never an error or a read past the end.
        for (std::size_t cut = 0; cut < std::min<std::size_t>(client.size(), 20); ++cut)
            REQUIRE(parse_client_frame(std::string_view(client).substr(0, cut), 1 << 20).status ==
                    FrameHeader::Status::need_more);
    }
    // Each side refuses the other side's masking.
    REQUIRE(parse_client_frame(server_frame(0x81, "40"), 100).status == FrameHeader::Status::error);
}
