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

// The RFC's %x0, %x1, %x2 (data) and %x8, %x9, %xA (control: the high bit of the nibble).
enum Opcode { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes the engine uses.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_invalid_payload = 1007;
inline constexpr std::uint16_t close_too_big = 1009;

inline constexpr std::size_t max_header_size = 10;

// Writes an unmasked FIN frame header for `payload_size` bytes into out; returns its length.
std::size_t encode_header(char* out, Opcode opcode, std::uint64_t payload_size);

// One complete frame, unmasked payload, as a string (control frames, tests).
std::string encode_frame(Opcode opcode, std::string_view payload);
std::string encode_close_frame(std::uint16_t code, std::string_view reason = {});

// Whether a peer may send `code` in a close frame (RFC 6455 §7.4.1 and the IANA registry):
// 1000-1003, 1007-1014, 3000-4999. 1004-1006 and 1015 are reserved, the rest unassigned.
bool is_valid_close_code(std::uint16_t code);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

struct Event {
    enum Kind { text, binary, ping, pong, close, error } kind;
    std::string payload;     // message bytes, ping/pong data, close reason
    std::uint16_t code = 0;  // close: the peer's code (1005 when absent); error: what to close with
};

// The header of one client frame, as read from the wire (before any protocol rule is applied).
struct FrameHeader {
    bool fin = false;
    std::uint8_t rsv = 0;  // the three reserved bits (no extension is negotiated: must be 0)
    std::uint8_t opcode = 0;
    bool masked = false;
    std::uint64_t length = 0;  // payload bytes
    std::size_t size = 0;      // header bytes, including the 4-byte mask key when masked
    const unsigned char* mask = nullptr;
    bool control() const { return opcode & 0x8; }
};

// Reads a frame header from the start of `data`: nullopt while `data` is too short to hold it.
// Sets `invalid_length` for a 64-bit length with the top bit set.
std::optional<FrameHeader> parse_header(std::string_view data, bool& invalid_length);

// Incremental reader of client frames: masked (required of clients), fragmented messages
// reassembled, control frames interleaved. A message larger than max_message is an error 1009;
// a text message or close reason that is not UTF-8 is an error 1007; a close code a peer may not
// send (RFC 6455 §7.4) and any other protocol violation are an error 1002. After an error or a
// close, the reader stays stopped. next() runs the named steps: parse_header, check_header (every
// rule about a header), then the payload goes to on_control (ping, pong, close) or on_data
// (fragments), and a complete message leaves through complete_message, the one place a finished
// message is checked.
class Reader {
  public:
    explicit Reader(std::size_t max_message) : max_message_(max_message) {}

    void feed(std::string_view bytes);
    // The next complete event, or std::nullopt when more bytes are needed.
    std::optional<Event> next();

  private:
    std::optional<Event> fail(std::uint16_t code);
    // The close code the header violates (1002, or 1009 for a message over max_message), or 0.
    std::uint16_t check_header(const FrameHeader& header) const;
    std::optional<Event> on_control(std::uint8_t opcode, std::string payload);
    std::optional<Event> on_data(const FrameHeader& header, std::string payload);
    std::optional<Event> complete_message(Event::Kind kind, std::string message);
    // With every byte consumed, gives the input buffer back (idle connections keep none).
    void release_consumed();

    // Everything between frames lives here, allocated while bytes or fragments are pending and
    // freed as soon as nothing is: most connections are idle, and would otherwise each carry
    // two empty strings and their bookkeeping.
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
