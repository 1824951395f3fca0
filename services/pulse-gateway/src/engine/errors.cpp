#include "engine/errors.hpp"

#include <array>
#include <cstddef>

namespace pulse::engine {

namespace {
// The reference server's messages, indexed by the code (ErrorCode's values are the codes).
constexpr std::array<const char*, 6> messages{
    "Transport unknown", "Session ID unknown", "Bad handshake method",
    "Bad request",       "Forbidden",          "Unsupported protocol version"};
}  // namespace

const char* error_message(ErrorCode code) {
    const auto index = static_cast<std::size_t>(code);
    return index < messages.size() ? messages[index] : "Bad request";
}

unsigned error_status(ErrorCode code) {
    return code == ErrorCode::forbidden ? 403 : 400;
}

std::string error_body(ErrorCode code) {
    // The messages contain no characters that need JSON escaping.
    return std::string("{\"code\":") + std::to_string(static_cast<int>(code)) + ",\"message\":\"" +
           error_message(code) + "\"}";
}

std::string too_many_body() {
    return std::string("{\"code\":") + std::to_string(static_cast<int>(ErrorCode::forbidden)) +
           ",\"message\":\"Too many connections\"}";
}

}  // namespace pulse::engine
