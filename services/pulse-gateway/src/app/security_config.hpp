#pragma once
// The gateway's security settings (README "Security"), declared in the configuration table:
//   PULSE_AUTH                  off | jwt (default off: anyone may join any room, for development)
//   PULSE_JWT_SECRET            HS256 shared secret, >= 32 bytes (the SEP-10 server's)
//   PULSE_JWT_PUBLIC_KEY        PEM public key: EC P-256 (ES256) or Ed25519 (EdDSA)
//   PULSE_JWT_LEEWAY_S          clock skew allowed on exp/nbf/iat (default 30)
//   PULSE_JWT_ISSUER            iss must equal it when set
//   PULSE_JWT_AUDIENCE          aud must contain it when set
//   PULSE_ADMIN_TOKEN           when set, /ws-status and /metrics need this bearer token
//   PULSE_REPLAY_TOKEN          bearer token sent to the lifecycle's /internal/outbox
//   PULSE_MAX_ROOMS_PER_SOCKET  stream rooms one socket may be in (default 16)
//   PULSE_MAX_PACKETS_PER_S     Socket.IO packets one client may send per second (default 100)
//   PULSE_MAX_JOINS_PER_S       join/leave requests one socket may send per second (default 10)
//   PULSE_MAX_CONNECTIONS_PER_IP  open Engine.IO sessions per client address (default 100)
//   PULSE_TRUSTED_PROXIES       peers whose X-Forwarded-For names the client (default: nobody)
//   PULSE_HTTP_HEADER_LIMIT     request head size, past it 414 / 431 (default 16384)
//   PULSE_HTTP_HEADER_TIMEOUT_MS  time for a request head to arrive (default 10000)
//   PULSE_SHED_IDLE_HANDSHAKES  out of descriptors: oldest head-less connections closed per shard
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <pulse/config_table.hpp>
#include <pulse/jwt/verifier.hpp>

#include "http/client_address.hpp"
#include "http/message.hpp"

namespace pulse::app {

struct SecurityConfig {
    bool auth_jwt = false;
    jwt::VerifierConfig jwt;
    std::string admin_token;
    std::string replay_token;
    std::size_t max_rooms_per_socket = 16;
    std::size_t max_packets_per_second = 100;
    std::size_t max_joins_per_second = 10;
    std::size_t max_connections_per_ip = 100;
    http::TrustedProxies trusted_proxies;
    std::size_t http_header_limit = 16 * 1024;
    std::chrono::milliseconds http_header_timeout{10000};
    std::size_t shed_idle_handshakes = 16;
};

// Declares the variables above in the gateway's table. Loading fails naming the variable when
// PULSE_AUTH is neither off nor jwt, or is jwt without a usable key (no key, a secret under 32
// bytes, a PEM that is not an EC P-256 or Ed25519 public key).
void declare_security(config::Table& table, SecurityConfig& c);

// The refusal for an operations endpoint (/ws-status, /metrics), or nothing when the request may
// have it: 401 JSON without the PULSE_ADMIN_TOKEN bearer when one is set. `lists_accounts`
// (/ws-status): with auth on and no admin token the endpoint is off (403), since it would tell
// anyone which accounts are online.
std::optional<http::Response> admin_refusal(const SecurityConfig& config,
                                            const http::Request& request, bool lists_accounts);

}  // namespace pulse::app
