#pragma once
// The reference engine.io server's error codes, with its exact messages. Every refused HTTP request
// is answered with {"code":N,"message":"..."} as application/json: 403 for Forbidden, else 400
// (and 429 for the per-address connection limit, which the reference server does not have).
#include <string>

namespace pulse::engine {

// The value is the code on the wire: 0 to 5 in this order.
enum class ErrorCode {
    unknown_transport,     // "Transport unknown"
    unknown_sid,           // "Session ID unknown"
    bad_handshake_method,  // "Bad handshake method"
    bad_request,           // "Bad request"
    forbidden,             // "Forbidden" (the only 403)
    unsupported_protocol_version,
};

// A handshake past ServerOptions::max_connections_per_address: 429, in the reference server's
// error shape with its Forbidden code (as its allowRequest refusals), and our own message.
inline constexpr unsigned kTooManyStatus = 429;
std::string too_many_body();  // {"code":4,"message":"Too many connections"}

const char* error_message(ErrorCode code);
unsigned error_status(ErrorCode code);
std::string error_body(ErrorCode code);  // {"code":N,"message":"..."}

}  // namespace pulse::engine
