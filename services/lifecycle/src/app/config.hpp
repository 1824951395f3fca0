#pragma once
// The lifecycle's configuration: every environment variable declared once in declare() (name,
// default, meaning, parser), which --help, the start-up log and the README table all read.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pulse/config_table.hpp"

namespace pulse::lifecycle {

struct Config {
    std::string log_level;
    std::string host;
    std::uint16_t port = 0;  // 0: pick a free one
    std::string database_url;
    std::string bus_bind;
    bool test_endpoints = false;
    std::string test_token;    // empty: /api/test/* unguarded (when enabled)
    std::string replay_token;  // empty: /internal/outbox unguarded
    // Browser origins that may call /api/* (CORS), as the gateway's list: "*" any.
    std::vector<std::string> allowed_origins;
    std::size_t db_pool_size = 0;
    std::size_t io_threads = 0;
    std::size_t body_limit = 0;
    std::size_t bus_hwm = 0;
    std::size_t bus_sndbuf = 0;
    std::size_t header_limit = 0;
    std::chrono::milliseconds header_timeout{0};
    std::size_t shed_idle_handshakes = 0;  // out of descriptors: head-less connections closed
    std::chrono::milliseconds http_timeout{0};
    std::chrono::milliseconds relay_interval{0};
    std::size_t max_pending = 0;  // commands queued for the writer before 503
    std::size_t max_batch = 0;    // commands per statement and commit
    std::chrono::milliseconds shutdown_drain{0};
    std::string failpoint;  // read by pulse::failpoint itself; kept for the effective config
};

// Binds every variable of pulse-lifecycle to a field of `c`; table.load() fills them.
void declare(config::Table& table, Config& c);
config::Table make_table(Config& c);

}  // namespace pulse::lifecycle
