#pragma once
// Socket.IO v5 decoder. Text packets are parsed by a pure function; a packet announcing binary
// attachments is completed by the binary messages that follow it, which is the only state the
// Decoder keeps. Every malformed input is an error value, never an exception or a crash.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/packet.hpp"

namespace pulse::parser {

struct TextDecodeResult {
    std::optional<Packet> packet;  // set on success; for binary packets `data` holds placeholders
    std::size_t attachments = 0;   // attachments still to come (binary packets only)
    std::string error;             // set on failure
    explicit operator bool() const { return packet.has_value(); }
};

// Parses one text packet. Rejects: unknown type, bad attachment count or more than
// `max_attachments`, a namespace without ',', non-JSON payload, a payload of the wrong shape for
// its type (EVENT needs a non-empty array starting with a non-reserved event name, ACK an array,
// CONNECT an object, CONNECT_ERROR an object or string, DISCONNECT nothing), JSON nested deeper
// than `kMaxJsonDepth`.
TextDecodeResult decode_text(std::string_view text, std::size_t max_attachments = kMaxAttachments);

inline constexpr std::size_t kMaxJsonDepth = 64;

// Replaces every placeholder in `data` with the attachment it points at. Fails (returns false) on a
// placeholder whose `num` is not an integer index into `attachments`.
bool reconstruct(Json& data, std::vector<std::string>& attachments);

class Decoder {
  public:
    explicit Decoder(std::size_t max_attachments = kMaxAttachments)
        : max_attachments_(max_attachments) {}

    struct Result {
        enum class Status { packet, incomplete, error } status = Status::incomplete;
        std::optional<Packet> packet;
        std::string error;
    };

    // One Engine.IO text message. Error when a binary packet is still waiting for attachments.
    Result add_text(std::string_view text);
    // One Engine.IO binary message. Error when no binary packet is waiting for it.
    Result add_binary(std::string_view bytes);

    bool awaiting_attachments() const { return pending_.has_value(); }

  private:
    std::size_t max_attachments_;
    std::optional<Packet> pending_;
    std::size_t expected_ = 0;
    std::vector<std::string> buffers_;
};

}  // namespace pulse::parser
