#pragma once
// pulse-gateway's configuration: every environment variable declared once in declare() (name,
// default, meaning, parser), which --help, the start-up log and the README table all read. The
// Engine.IO and Socket.IO defaults are those of engine::ServerOptions and sio::ServerOptions
// (read from default-constructed ones); every other default lives in declare() alone.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <pulse/config_table.hpp>

#include "app/security_config.hpp"

namespace pulse::app {

struct GatewayConfig {
    std::string log_level;
    std::string host;
    std::uint16_t port = 0;  // 0: the kernel picks one; the "listening" log line says which
    std::vector<std::string> allowed_origins;
    std::vector<std::string> bus_endpoints;
    // The lifecycle's HTTP base URL whose replay endpoint fills bus gaps; empty: gaps are only
    // logged and counted.
    std::string replay_url;
    std::chrono::milliseconds ping_interval{0};
    std::chrono::milliseconds ping_timeout{0};
    std::chrono::milliseconds connect_timeout{0};
    std::size_t max_payload = 0;
    std::size_t max_buffered_bytes = 0;
    std::size_t io_threads = 0;
    // Connection state recovery window; 0 turns it off (then events carry no offset argument).
    std::chrono::milliseconds recovery_window{0};
    // Signs recovery credentials; shared by every replica so a client resumes on any of them.
    // Empty: a random key of this process (recovery then works on this replica only).
    std::string recovery_key;
    // Cluster presence (docs/presence.md): this replica's presence PUB endpoint and every
    // replica's; empty bind: /health and /ws-status answer for this replica only.
    std::string presence_bind;
    std::vector<std::string> presence_peers;
    std::chrono::milliseconds presence_timeout{0};
    // /health and /ws-status bodies are re-rendered at most once per max(this, 10 x their last
    // rendering's CPU time) (app/status_cache.hpp).
    std::chrono::milliseconds status_cache{0};
    // Status requests waiting for the status worker thread; more are answered 503 at once
    // (app/status_endpoint.hpp).
    std::size_t status_queue = 0;
    // SIGTERM: readiness 503 at once, sessions closed spread over this, then exit 0.
    std::chrono::milliseconds drain{0};
    // The socket.io-client package folder whose dist/ bundles /socket.io/socket.io.js serves
    // (app/client_bundle.hpp); empty: those URLs answer 404.
    std::string client_dist;
    bool console = false;     // GET /console (app/console_page.hpp)
    SecurityConfig security;  // app/security_config.hpp
};

// Binds every variable of pulse-gateway to a field of `c`; table.load() fills them.
void declare(config::Table& table, GatewayConfig& c);
config::Table make_gateway_table(GatewayConfig& c);

// IO_THREADS=auto: the CPUs this process may use (affinity, cgroup quota), at most this many.
inline constexpr std::size_t kAutoIoThreadsCap = 16;

}  // namespace pulse::app
