#pragma once
// Standard base64 (RFC 4648 section 4, with '=' padding): Engine.IO binary over polling
// ("b" + base64) and the WebSocket handshake's Sec-WebSocket-Accept.
#include <optional>
#include <string>
#include <string_view>

namespace pulse::engine {

std::string base64_encode(std::string_view bytes);
// std::nullopt for a length that is not a multiple of 4, a character outside the alphabet or
// misplaced padding. Whitespace is not accepted (the reference client never sends any).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace pulse::engine
