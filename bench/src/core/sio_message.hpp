#pragma once
// Classifies one Engine.IO v4 text packet as carried in one WebSocket message (direct WebSocket
// transport: one packet per message), including the Socket.IO v5 packet inside a "4" message.
// Deliberately a scanner, not a JSON parser: the load client must stay cheaper than the server.
#include <string_view>

namespace pulse::bench {

enum class SioKind {
    eio_open,           // 0{...}
    eio_close,          // 1
    eio_ping,           // 2  -> answer "3"
    eio_noop,           // 6
    sio_connect,        // 40 / 40{"sid":...}
    sio_disconnect,     // 41
    sio_event,          // 42[...] / 42<ack>[...]
    sio_ack,            // 43...
    sio_connect_error,  // 44{...}
    other,
    malformed,
};

struct SioMessage {
    SioKind kind = SioKind::malformed;
    std::string_view event;  // sio_event: the event name
    std::string_view rest;   // sio_event: everything after the name's closing quote
};

SioMessage classify_message(std::string_view text);

// The value of the first `"key":"value"` in `json` (no escapes inside the value), empty if absent.
std::string_view string_field(std::string_view json, std::string_view key);

}  // namespace pulse::bench
