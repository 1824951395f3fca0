#include "app/security_config.hpp"

#include <pulse/bearer.hpp>
#include <pulse/env_config.hpp>

namespace pulse::app {

void declare_security(config::Table& t, SecurityConfig& c) {
    t.secret("PULSE_JWT_SECRET", c.jwt.hs256_secret,
             "HS256 shared secret of the SEP-10 server (at least 32 bytes); enables HS256 tokens.",
             false)
        .text("PULSE_JWT_PUBLIC_KEY", c.jwt.public_key_pem, "",
              "PEM public key of the SEP-10 server: EC P-256 enables ES256, Ed25519 enables "
              "EdDSA.")
        .integer("PULSE_JWT_LEEWAY_S", c.jwt.leeway_s, 30, 0, 3600,
                 "Clock skew in seconds allowed on a token's exp, nbf and iat.")
        .text("PULSE_JWT_ISSUER", c.jwt.issuer, "",
              "When set, a token's iss must equal it (wrong_issuer otherwise).")
        .text("PULSE_JWT_AUDIENCE", c.jwt.audience, "",
              "When set, a token's aud must contain it (wrong_audience otherwise).")
        .secret("PULSE_ADMIN_TOKEN", c.admin_token,
                "When set, /ws-status and /metrics require Authorization: Bearer <this> (401 "
                "JSON otherwise); with PULSE_AUTH=jwt and no admin token /ws-status answers 403.",
                false)
        .secret("PULSE_REPLAY_TOKEN", c.replay_token,
                "Bearer token sent to the lifecycle's /internal/outbox (its PULSE_REPLAY_TOKEN).",
                false)
        .size("PULSE_MAX_ROOMS_PER_SOCKET", c.max_rooms_per_socket, 16, 1, 100000,
              "Stream rooms one socket may be in; the next join gets room-error 'too many "
              "rooms'.")
        .size("PULSE_MAX_PACKETS_PER_S", c.max_packets_per_second, 100, 0, 60000,
              "Socket.IO packets one client may send per second; past it the client gets a "
              "'limit-error' event {code: flood} and is disconnected. 0: no limit.")
        .size("PULSE_MAX_JOINS_PER_S", c.max_joins_per_second, 10, 0, 60000,
              "join-stream-room / leave-stream-room requests one socket may send per second; "
              "past it room-error 'rate-limited' (the socket stays connected). 0: no limit.")
        .size("PULSE_MAX_CONNECTIONS_PER_IP", c.max_connections_per_ip, 100, 0, 10000000,
              "Engine.IO sessions one client address may hold open; a handshake past it gets "
              "HTTP 429 {code: 4, message: 'Too many connections'}. The address is the TCP "
              "peer's, or X-Forwarded-For's from a PULSE_TRUSTED_PROXIES peer. 0: no limit.")
        .add({"PULSE_TRUSTED_PROXIES", "",
              "Comma-separated addresses / CIDR blocks of the proxies in front (e.g. "
              "127.0.0.1 for scripts/run's HAProxy) whose X-Forwarded-For names the client. "
              "Empty: trust nobody, the TCP peer is the client.",
              [&c](const std::string& text) {
                  try {
                      c.trusted_proxies = http::TrustedProxies::parse(text);
                  } catch (const std::invalid_argument& e) {
                      throw env::ConfigError(std::string("PULSE_TRUSTED_PROXIES: ") + e.what());
                  }
              }})
        .size("PULSE_HTTP_HEADER_LIMIT", c.http_header_limit, 16 * 1024, 1024, 1 << 20,
              "Largest request line + headers in bytes; past it 414 (request line) or 431.")
        .millis("PULSE_HTTP_HEADER_TIMEOUT_MS", c.http_header_timeout, 10000, 100, 600000,
                "Time a request head may take to arrive, from the connection's opening (or a "
                "keep-alive request's first byte); a client that drips it (slowloris) is cut.")
        .size("PULSE_SHED_IDLE_HANDSHAKES", c.shed_idle_handshakes, 16, 0, 4096,
              "When accept() runs out of descriptors, each I/O thread closes this many of its "
              "oldest connections that have not sent a first request head (0: none); "
              "established sessions are never closed for this.")
        .add(
            {"PULSE_AUTH", "off",
             "off: anyone may join any stream room; jwt: every Socket.IO CONNECT needs auth.token, "
             "a SEP-10 JWT (HS256 with PULSE_JWT_SECRET, ES256/EdDSA with PULSE_JWT_PUBLIC_KEY), "
             "and joins only its own account's room.",
             [&c](const std::string& text) {
                 if (text == "off") {
                     c.auth_jwt = false;
                     return;
                 }
                 if (text != "jwt")
                     throw env::ConfigError("PULSE_AUTH must be off or jwt, got '" + text + "'");
                 c.auth_jwt = true;
                 try {
                     jwt::Verifier check(c.jwt);
                 } catch (const jwt::KeyError& e) {
                     throw env::ConfigError(std::string("PULSE_AUTH=jwt: ") + e.what());
                 }
             }});
}

std::optional<http::Response> admin_refusal(const SecurityConfig& config,
                                            const http::Request& request, bool lists_accounts) {
    if (config.admin_token.empty()) {
        if (lists_accounts && config.auth_jwt) {
            auto r = http::json_response(
                403,
                R"({"error":"/ws-status is off: with PULSE_AUTH=jwt set PULSE_ADMIN_TOKEN to use it"})");
            return r;
        }
        return std::nullopt;
    }
    if (bearer_matches(request.header("authorization"), config.admin_token)) return std::nullopt;
    auto r = http::json_response(
        401, R"({"error":"unauthorized: Authorization: Bearer <PULSE_ADMIN_TOKEN> required"})");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
}

}  // namespace pulse::app
