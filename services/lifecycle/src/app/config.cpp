#include "app/config.hpp"

#include "pulse/env_config.hpp"

namespace pulse::lifecycle {

Config load_config() {
    Config c;
    c.host = env::string_or("HOST", c.host);
    c.port = static_cast<std::uint16_t>(env::int_or("LIFECYCLE_PORT", c.port, 0, 65535));
    auto url = env::get("DATABASE_URL");
    if (!url)
        throw env::ConfigError(
            "DATABASE_URL is required (a libpq URL, e.g. postgresql://user@127.0.0.1:5432/pulse)");
    c.database_url = *url;
    c.bus_bind = env::string_or("PULSE_BUS_BIND", c.bus_bind);
    c.test_endpoints = env::bool_or("PULSE_TEST_ENDPOINTS", c.test_endpoints);
    c.db_pool_size = static_cast<std::size_t>(
        env::int_or("PULSE_DB_POOL_SIZE", static_cast<std::int64_t>(c.db_pool_size), 1, 128));
    c.io_threads = static_cast<std::size_t>(
        env::int_or("PULSE_HTTP_THREADS", static_cast<std::int64_t>(c.io_threads), 1, 64));
    c.body_limit =
        static_cast<std::size_t>(env::int_or("PULSE_HTTP_BODY_LIMIT", 64 * 1024, 256, 16 << 20));
    c.http_timeout =
        std::chrono::milliseconds(env::int_or("PULSE_HTTP_TIMEOUT_MS", 30000, 100, 3600000));
    c.relay_interval =
        std::chrono::milliseconds(env::int_or("PULSE_OUTBOX_RELAY_MS", 1000, 10, 3600000));
    c.relay_grace =
        std::chrono::milliseconds(env::int_or("PULSE_OUTBOX_GRACE_MS", 2000, 0, 3600000));
    c.shutdown_drain =
        std::chrono::milliseconds(env::int_or("PULSE_SHUTDOWN_TIMEOUT_MS", 10000, 0, 600000));
    return c;
}

}  // namespace pulse::lifecycle
