#include "engine/errors.hpp"

namespace pulse::engine {

const char* error_message(ErrorCode code) {
    switch (code) {
        case ErrorCode::unknown_transport:
            return "Transport unknown";
        case ErrorCode::unknown_sid:
            return "Session ID unknown";
        case ErrorCode::bad_handshake_method:
            return "Bad handshake method";
        case ErrorCode::bad_request:
            return "Bad request";
        case ErrorCode::forbidden:
            return "Forbidden";
        case ErrorCode::unsupported_protocol_version:
            return "Unsupported protocol version";
    }
    return "Bad request";
}

unsigned error_status(ErrorCode code) {
    return code == ErrorCode::forbidden ? 403 : 400;
}

std::string error_body(ErrorCode code) {
    // The messages contain no characters that need JSON escaping.
    return std::string("{\"code\":") + std::to_string(static_cast<int>(code)) + ",\"message\":\"" +
           error_message(code) + "\"}";
}

}  // namespace pulse::engine
