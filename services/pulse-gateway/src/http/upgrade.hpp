#pragma once
// The one check of whether a request asks for a WebSocket: the listener uses it to hand the
// socket to the mounted endpoint, the engine to classify what it was given. Both headers are
// required, as RFC 6455 asks (Node only raises 'upgrade' with Connection: upgrade too).
#include <string_view>

#include "http/message.hpp"

namespace pulse::http {

// Whether a comma-separated header value lists `token`, case-insensitively
// ("keep-alive, Upgrade" lists "upgrade").
bool header_has_token(std::string_view value, std::string_view token);

// Upgrade: websocket and Connection: upgrade (method not checked).
bool is_websocket_upgrade(const Request& request);

}  // namespace pulse::http
