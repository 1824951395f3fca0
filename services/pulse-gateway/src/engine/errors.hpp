#pragma once
// The reference engine.io server's error codes, with its exact messages. Every refused HTTP request
// is answered with {"code":N,"message":"..."} as application/json: 403 for Forbidden, else 400.
#include <string>

namespace pulse::engine {

enum class ErrorCode {
    unknown_transport = 0,
    unknown_sid = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
};

const char* error_message(ErrorCode code);
unsigned error_status(ErrorCode code);
std::string error_body(ErrorCode code);  // {"code":N,"message":"..."}

}  // namespace pulse::engine
