#include "app/config.hpp"

#include "db/database_url.hpp"
#include "pulse/env_config.hpp"
#include "pulse/failpoint.hpp"

namespace pulse::lifecycle {

void declare(config::Table& t, Config& c) {
    t.text("LOG_LEVEL", c.log_level, "info",
           "Log level of the JSON lines on stderr: debug, info, "
           "warn or error.",
           config::require_log_level)
        .text("HOST", c.host, "127.0.0.1",
              "Address the HTTP API listens on (0.0.0.0 in containers).")
        .port("LIFECYCLE_PORT", c.port, 3001,
              "HTTP port of the API, /health and /metrics (0: any free port).")
        .secret("DATABASE_URL", c.database_url,
                "PostgreSQL connection URL (libpq), e.g. postgresql://user:pass@host:5432/pulse.",
                true,
                [](const std::string& url) {
                    try {
                        db::parse_database_url(url);
                    } catch (const db::BadDatabaseUrl& e) {
                        // libpq's reason names the part it could not parse, not the password.
                        std::string why = e.what();
                        for (auto& ch : why)
                            if (ch == '\n') ch = ' ';
                        throw env::ConfigError("bad DATABASE_URL: " + why);
                    }
                })
        .text("PULSE_BUS_BIND", c.bus_bind, "tcp://127.0.0.1:5556",
              "ZeroMQ PUB endpoint the event bus binds; gateways subscribe to it.")
        // /api/test/* write rows and push events to any wallet's room: off unless asked for.
        .flag("PULSE_TEST_ENDPOINTS", c.test_endpoints, false,
              "Serve POST /api/test/* (scripts/run, the tests and compose's dev stack turn it "
              "on; off in production).")
        .secret("PULSE_TEST_TOKEN", c.test_token,
                "When set, /api/test/* require Authorization: Bearer <this> (401 otherwise).",
                false)
        .secret("PULSE_REPLAY_TOKEN", c.replay_token,
                "When set, GET /internal/outbox requires Authorization: Bearer <this> (401 "
                "otherwise); give the gateways the same value.",
                false)
        .list(
            "FRONTEND_URL", c.allowed_origins, "http://localhost:5173",
            "Browser origins allowed to call /api/* (CORS), comma-separated scheme://host[:port]; "
            "* allows any.",
            config::require_url_with_scheme)
        // Commands go through the writer's own connection, the publisher has one more: the pool
        // only serves reads.
        .size("PULSE_DB_POOL_SIZE", c.db_pool_size, 2, 1, 128,
              "PostgreSQL connections for reads (replay, health, readiness); the group-commit "
              "writer and the outbox publisher have one each besides.")
        // A command waits for its batch without holding its thread.
        .size("PULSE_HTTP_THREADS", c.io_threads, 1, 1, 64,
              "Request threads (parse, validate, answer); commands do not block them.")
        .size("PULSE_MAX_PENDING", c.max_pending, 4096, 1, 1000000,
              "Commands queued for the group-commit writer beyond which a command gets 503 with "
              "Retry-After at once.")
        .size("PULSE_MAX_BATCH", c.max_batch, 512, 1, 10000,
              "Most commands the writer applies in one statement and one commit.")
        .size("PULSE_HTTP_BODY_LIMIT", c.body_limit, 64 * 1024, 256, 16 << 20,
              "Largest request body in bytes (413 beyond).")
        .size("PULSE_HTTP_HEADER_LIMIT", c.header_limit, 16 * 1024, 1024, 1 << 20,
              "Largest request line + headers in bytes (431 beyond, then close).")
        .millis("PULSE_HTTP_HEADER_TIMEOUT_MS", c.header_timeout, 10000, 100, 600000,
                "Time in ms for a whole request head (and a keep-alive wait) to arrive; a slower "
                "client is cut (slowloris).")
        .size("PULSE_SHED_IDLE_HANDSHAKES", c.shed_idle_handshakes, 16, 0, 4096,
              "When accept() runs out of descriptors, close this many of the oldest connections "
              "that have not sent a first request head (0: none); a connection past it (request "
              "in progress, keep-alive) is never closed for this.")
        .millis("PULSE_HTTP_TIMEOUT_MS", c.http_timeout, 30000, 100, 3600000,
                "Time in ms for the rest of a request (its body) after the head, and per write.")
        .millis("PULSE_OUTBOX_RELAY_MS", c.relay_interval, 1000, 10, 3600000,
                "Outbox publisher: poll period besides LISTEN, how often a standby instance tries "
                "to take over, and how long a new leader waits before resending unsent rows, in "
                "ms.")
        .millis("PULSE_SHUTDOWN_TIMEOUT_MS", c.shutdown_drain, 10000, 0, 600000,
                "Time in ms that requests in flight get to finish after SIGTERM.")
        .size("PULSE_BUS_HWM", c.bus_hwm, 100000, 1, 10000000,
              "Messages the PUB socket queues per gateway before it drops for that one (gap "
              "repair and the outbox relay cover what is dropped).")
        .size("PULSE_BUS_SNDBUF", c.bus_sndbuf, 0, 0, 64 << 20,
              "Kernel send buffer per gateway connection in bytes; 0 lets the OS tune it.")
        .text("PULSE_FAILPOINT", c.failpoint, "",
              "Chaos tests only: NAME[@N] makes the process SIGKILL itself the Nth time it "
              "reaches that point (before-commit, after-commit-before-publish); refused unless "
              "PULSE_TEST_ENDPOINTS=on.",
              [&c](const std::string&) {
                  failpoint::configure_from_env(c.test_endpoints,
                                                "PULSE_TEST_ENDPOINTS=on (a test/dev mode)");
              });
}

config::Table make_table(Config& c) {
    config::Table t("pulse-lifecycle",
                    "the stream lifecycle service of StellarStream Pulse (HTTP API, PostgreSQL "
                    "outbox, ZeroMQ event bus).");
    declare(t, c);
    return t;
}

}  // namespace pulse::lifecycle
