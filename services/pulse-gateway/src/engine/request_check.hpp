#pragma once
// Classifies an HTTP request to the Engine.IO endpoint before any session is touched, in the
// reference server's order: transport, origin, then handshake rules (method, protocol version).
// Whether a given sid exists is decided later, on the shard that owns it. Pure, unit tested.
#include <optional>
#include <string>
#include <string_view>

#include "engine/errors.hpp"

namespace pulse::engine {

struct EngineQuery {
    std::string eio;        // "4" expected
    std::string transport;  // "polling" | "websocket"
    std::string sid;        // empty for a handshake
};

// Reads EIO, transport and sid from a raw query string (percent-decoding values; unknown keys and
// malformed pairs are ignored, like Node's querystring module).
EngineQuery parse_engine_query(std::string_view query);

enum class RequestKind {
    handshake_polling,    // GET without sid, transport=polling
    handshake_websocket,  // Upgrade without sid, transport=websocket
    poll,                 // GET with sid (polling)
    post,                 // POST with sid (polling)
    websocket_with_sid,   // Upgrade with sid: upgrade from polling (or a duplicate)
    preflight,            // OPTIONS (CORS)
};

struct RequestInput {
    std::string_view method;  // "GET", "POST", "OPTIONS", ...
    std::string_view query;
    bool websocket_upgrade = false;  // Upgrade: websocket + Connection: upgrade
    bool origin_allowed = true;
};

struct RequestClass {
    std::optional<ErrorCode> error;  // set when the request is refused
    RequestKind kind = RequestKind::handshake_polling;
    EngineQuery query;
};

RequestClass classify_request(const RequestInput& input);

}  // namespace pulse::engine
