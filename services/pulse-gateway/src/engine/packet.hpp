#pragma once
// Engine.IO v4 packet and payload codec: pure functions, no I/O (fuzzed by engine-payload-fuzzer).
//   packet  = type digit '0'..'6' followed by data, or 'b' + base64 for a binary message
//   payload = packets joined by the record separator '\x1e' (HTTP long-polling bodies)
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::engine {

enum class PacketType : char {
    open = '0',
    close = '1',
    ping = '2',
    pong = '3',
    message = '4',
    upgrade = '5',
    noop = '6',
};

struct Packet {
    PacketType type = PacketType::noop;
    std::string data;     // text after the type digit, or the decoded bytes of a binary message
    bool binary = false;  // only for PacketType::message

    bool operator==(const Packet&) const = default;
};

inline constexpr char record_separator = '\x1e';

// One packet as text: type digit + data, or 'b' + base64(data) when binary.
std::string encode_packet(const Packet& packet);
// std::nullopt for an empty string, an unknown type character or invalid base64 (the reference
// parser's "parser error", which closes the session).
std::optional<Packet> decode_packet(std::string_view text);

// Joins already encoded packets with '\x1e'.
std::string encode_payload(const std::vector<Packet>& packets);
// Splits on '\x1e' and decodes each part; std::nullopt if any part is invalid (also for an empty
// body: a POST must carry at least one packet).
std::optional<std::vector<Packet>> decode_payload(std::string_view body);

}  // namespace pulse::engine
