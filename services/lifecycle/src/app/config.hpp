#pragma once
// The lifecycle's configuration, from environment variables (DESIGN.md table + tuning knobs).
// A malformed value is a start-up error naming the variable (pulse::env::ConfigError).
#include <chrono>
#include <cstdint>
#include <string>

namespace pulse::lifecycle {

struct Config {
    std::string host = "127.0.0.1";                 // HOST
    std::uint16_t port = 3001;                      // LIFECYCLE_PORT (0: pick a free one)
    std::string database_url;                       // DATABASE_URL (required)
    std::string bus_bind = "tcp://127.0.0.1:5556";  // PULSE_BUS_BIND
    bool test_endpoints = true;                     // PULSE_TEST_ENDPOINTS
    // Event-producing transactions serialize on the outbox counter row (and the publish order
    // mutex), so connections beyond a couple add PostgreSQL backends and context switches, not
    // throughput: 8 -> 2 cut PostgreSQL CPU per event by a third (bench/, 10k conns, 2000 ev/s).
    std::size_t db_pool_size = 2;  // PULSE_DB_POOL_SIZE
    // Request threads: each reads, handles (blocking on PostgreSQL) and answers its requests.
    // Commands serialize on the publish order anyway, so more only help concurrent reads
    // (replay, health); keep db_pool_size above it (one connection each, plus the relay's).
    std::size_t io_threads = 1;                       // PULSE_HTTP_THREADS
    std::size_t body_limit = 64 * 1024;               // PULSE_HTTP_BODY_LIMIT (bytes)
    std::chrono::milliseconds http_timeout{30000};    // PULSE_HTTP_TIMEOUT_MS
    std::chrono::milliseconds relay_interval{1000};   // PULSE_OUTBOX_RELAY_MS
    std::chrono::milliseconds relay_grace{2000};      // PULSE_OUTBOX_GRACE_MS
    std::chrono::milliseconds shutdown_drain{10000};  // PULSE_SHUTDOWN_TIMEOUT_MS
};

// Throws env::ConfigError.
Config load_config();

}  // namespace pulse::lifecycle
