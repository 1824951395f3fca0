#pragma once
// Socket.IO v5 packets (socket.io-protocol v5), as plain values. The parser layer is pure: no I/O,
// no clocks, no threads, so it can be unit-tested exhaustively and fuzzed.
//
// Binary attachments live *inside* `data` as JSON binary values (nlohmann's binary_t): the encoder
// swaps each one for a `{"_placeholder":true,"num":N}` object and returns the bytes separately, the
// decoder swaps them back. Upper layers never see placeholders.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pulse::parser {

// ordered_json: payloads keep the key order the sender chose (spec: "key order preserved").
using Json = nlohmann::ordered_json;

// The value is the packet's first character on the wire: '0' to '6' in this order.
enum class PacketType : std::uint8_t {
    connect,        // to a namespace (client), or its acceptance (server)
    disconnect,     // from a namespace
    event,          // ["name", ...args]
    ack,            // the answer to an event with an id
    connect_error,  // a refused connect
    binary_event,   // an event with attachments (placeholders in the JSON)
    binary_ack,     // an ack with attachments
};

struct Packet {
    PacketType type = PacketType::event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;  // ack id
    std::optional<Json> data;         // absent when the packet carried no payload

    bool operator==(const Packet&) const = default;
};

// socket.io-parser's default `maxAttachments`: a packet announcing more is rejected.
inline constexpr std::size_t kMaxAttachments = 10;

// Event names the client and server reserve; an EVENT carrying one is malformed.
bool is_reserved_event(std::string_view name);

// Whether `data` holds at least one binary value (so the packet must go as BINARY_EVENT/_ACK).
bool has_binary(const Json& data);

}  // namespace pulse::parser
