#include "engine/request_check.hpp"

namespace pulse::engine {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// '+' is a space, %XY a byte; an invalid escape is kept as is (Node's querystring does the same).
std::string percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
                   hex_value(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

EngineQuery parse_engine_query(std::string_view query) {
    EngineQuery out;
    bool seen_eio = false, seen_transport = false, seen_sid = false;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        const std::string key = percent_decode(pair.substr(0, eq));
        const std::string value =
            eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
        // First occurrence wins: a repeated key must not override what was checked.
        if (key == "EIO" && !seen_eio) {
            out.eio = value;
            seen_eio = true;
        } else if (key == "transport" && !seen_transport) {
            out.transport = value;
            seen_transport = true;
        } else if (key == "sid" && !seen_sid) {
            out.sid = value;
            seen_sid = true;
        }
    }
    return out;
}

RequestClass classify_request(const RequestInput& in) {
    RequestClass out;
    out.query = parse_engine_query(in.query);
    const auto fail = [&](ErrorCode code) {
        out.error = code;
        return out;
    };
    if (in.method == "OPTIONS") {
        out.kind = RequestKind::preflight;
        if (!in.origin_allowed) return fail(ErrorCode::forbidden);
        return out;
    }
    const std::string& transport = out.query.transport;
    if (transport != "polling" && transport != "websocket")
        return fail(ErrorCode::unknown_transport);
    if (!in.origin_allowed) return fail(ErrorCode::forbidden);
    const bool websocket = transport == "websocket";
    // transport=websocket without an Upgrade, or an Upgrade announcing polling, is malformed.
    if (websocket != in.websocket_upgrade) return fail(ErrorCode::bad_request);

    if (!out.query.sid.empty()) {
        if (websocket) {
            out.kind = RequestKind::websocket_with_sid;
        } else if (in.method == "GET") {
            out.kind = RequestKind::poll;
        } else if (in.method == "POST") {
            out.kind = RequestKind::post;
        } else {
            return fail(ErrorCode::bad_request);
        }
        return out;
    }
    if (in.method != "GET") return fail(ErrorCode::bad_handshake_method);
    if (out.query.eio != "4") return fail(ErrorCode::unsupported_protocol_version);
    out.kind = websocket ? RequestKind::handshake_websocket : RequestKind::handshake_polling;
    return out;
}

}  // namespace pulse::engine
