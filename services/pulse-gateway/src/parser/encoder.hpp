#pragma once
// Socket.IO v5 encoder: Packet -> one text string (+ binary attachments).
//   <type>[<attachments>-][<nsp>,][<id>][<json>]
// JSON is compact and keeps key order. An EVENT/ACK whose data contains binary values is sent as
// BINARY_EVENT/BINARY_ACK with placeholders, whatever `type` said.
#include <string>
#include <vector>

#include "parser/packet.hpp"

namespace pulse::parser {

struct Encoded {
    std::string text;
    std::vector<std::string> attachments;  // raw bytes, in placeholder order
};

Encoded encode(const Packet& packet);

// Appends the text part to `out` (the caller may have put the Engine.IO "4" there already, so one
// broadcast is one allocation). Returns the attachments, empty for plain packets.
std::vector<std::string> encode_into(std::string& out, const Packet& packet);

// The hot path of a broadcast: `<prefix>2[<"event">,<data json>]` with the namespace, written
// straight into one string. `data_json` must already be compact JSON text.
std::string encode_event_text(std::string_view prefix, std::string_view nsp, std::string_view event,
                              std::string_view data_json);

}  // namespace pulse::parser
