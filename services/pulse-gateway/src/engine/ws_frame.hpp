#pragma once
// RFC 6455 framing, written by hand because the send path wants it: server frames are unmasked,
// so a frame is a 2-10 byte header in front of the shared packet bytes, and several frames go out
// in one gathered write (Beast's stream writes one message per operation). Pure, fuzzed with the
// payload decoder's corpus, unit tested.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::engine::ws {

enum Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes the engine uses.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_too_big = 1009;

inline constexpr std::size_t max_header_size = 10;

// Writes an unmasked FIN frame header for `payload_size` bytes into out; returns its length.
std::size_t encode_header(char* out, Opcode opcode, std::uint64_t payload_size);

// One complete frame, unmasked payload, as a string (control frames, tests).
std::string encode_frame(Opcode opcode, std::string_view payload);
std::string encode_close_frame(std::uint16_t code, std::string_view reason = {});

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

struct Event {
    enum Kind { text, binary, ping, pong, close, error } kind;
    std::string payload;     // message bytes, ping/pong data, close reason
    std::uint16_t code = 0;  // close: the peer's code (1005 when absent); error: what to close with
};

// Incremental reader of client frames: masked (required of clients), fragmented messages
// reassembled, control frames interleaved. A message larger than max_message is an error 1009;
// any protocol violation is an error 1002. After an error or a close, the reader stays stopped.
class Reader {
  public:
    explicit Reader(std::size_t max_message) : max_message_(max_message) {}

    void feed(std::string_view bytes);
    // The next complete event, or std::nullopt when more bytes are needed.
    std::optional<Event> next();

  private:
    std::optional<Event> fail(std::uint16_t code);

    // Everything between frames lives here, allocated while bytes or fragments are pending and
    // freed as soon as nothing is: most connections are idle, and two empty strings and their
    // bookkeeping were ~70 bytes in each.
    struct Pending {
        std::string buffer;
        std::size_t offset = 0;  // consumed bytes at the front of buffer
        std::string message;     // fragments of the message being assembled
        std::optional<Event::Kind> message_kind;
    };
    std::size_t max_message_;
    std::unique_ptr<Pending> pending_;
    bool stopped_ = false;
};

}  // namespace pulse::engine::ws
