#pragma once
// The bus envelope (contract in proto/): the second ZeroMQ frame of every bus message, e.g.
//   {"v":1,"epoch":"7c0f...","seq":42,"event":"new-stream","rooms":["stream-G..."],"data":{...}}
// The lifecycle encodes it after commit; gateways decode it and emit `event` with `data` once to
// every socket in any of `rooms`. decode() is strict (unknown or duplicate keys, wrong types, an
// empty room list... are errors) because a gateway must drop a bad message, not half-deliver it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pulse::envelope {

inline constexpr int kVersion = 1;
// Upper bounds that keep one bad publisher from making every gateway allocate without limit.
inline constexpr std::size_t kMaxEnvelopeBytes = 1 << 20;
inline constexpr std::size_t kMaxEventNameBytes = 128;
inline constexpr std::size_t kMaxRoomBytes = 256;
inline constexpr std::size_t kMaxRooms = 1024;
inline constexpr std::size_t kMaxEpochBytes = 128;

struct Envelope {
    int v = kVersion;
    std::string epoch;               // identifies the database the outbox lives in
    std::int64_t seq = 0;            // outbox row id, >= 1, strictly increasing in commit order
    std::string event;               // Socket.IO event name, e.g. "new-stream"
    std::vector<std::string> rooms;  // non-empty, no duplicates
    // ordered_json keeps the publisher's key order (streamId, sender, ...) on the wire to clients.
    nlohmann::ordered_json data = nlohmann::ordered_json::object();
};

// Compact JSON, keys in the order v, epoch, seq, event, rooms, data.
// Does not validate: a publisher builds envelopes from trusted values (see validate()).
std::string encode(const Envelope& envelope);
// The same from its parts, for a sender that holds them elsewhere (no Envelope copy):
// `data_json` is the data object already written as compact JSON text (the lifecycle writes an
// event's payload once and sends the same text in its HTTP answer and on the bus).
std::string encode(int v, std::string_view epoch, std::int64_t seq, std::string_view event,
                   const std::vector<std::string>& rooms, std::string_view data_json);

struct DecodeResult {
    std::optional<Envelope> envelope;  // set on success
    std::string error;                 // set on failure, e.g. "seq: must be an integer >= 1"
    explicit operator bool() const { return envelope.has_value(); }
};

// Strict decode; never throws. Fails on invalid JSON/UTF-8, bytes > kMaxEnvelopeBytes, a missing,
// unknown or duplicate key, v != 1, empty epoch, seq < 1 or not an integer, an empty or reserved
// Socket.IO event name (connect, disconnect, ...), rooms empty / not strings / duplicated,
// data not an object.
DecodeResult decode(std::string_view json) noexcept;

// An envelope whose data stays JSON text: what a gateway forwards to its sockets as it came.
struct RawEnvelope {
    int v = kVersion;
    std::string epoch;
    std::int64_t seq = 0;
    std::string event;
    std::vector<std::string> rooms;
    std::string
        data_json;  // the data object, compact: byte for byte what decode()'s data.dump() gives
};

struct RawDecodeResult {
    std::optional<RawEnvelope> envelope;
    std::string error;
    explicit operator bool() const { return envelope.has_value(); }
};

// decode() with data kept as text: it accepts and refuses exactly what decode() does, with the
// same fields and the same error. An envelope in the form encode() writes (keys in its order, no
// whitespace, data in canonical JSON: pulse/json_canonical.hpp) is read in one pass with no
// tree; any other is decoded by decode() and its data dumped. Never throws.
// (tests/fuzz/envelope_decode_fuzzer.cpp compares the two on every input.)
RawDecodeResult decode_raw(std::string_view json) noexcept;
// decode_raw()'s one-pass reader alone: the envelope when `json` is in encode()'s form with
// canonical data and valid, else nothing (tests and benchmarks tell the two paths apart by it).
std::optional<RawEnvelope> decode_canonical(std::string_view json);

// The same rules on an already built envelope: empty string when valid, else the error.
std::string validate(const Envelope& envelope);

// Event names Socket.IO reserves: a server must never emit them as application events.
bool is_reserved_event_name(std::string_view name);

}  // namespace pulse::envelope
