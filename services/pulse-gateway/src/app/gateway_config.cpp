#include "app/gateway_config.hpp"

#include <algorithm>

#include <pulse/env_config.hpp>

#include "bus/replay_client.hpp"
#include "engine/server.hpp"
#include "sio/server.hpp"

namespace pulse::app {
namespace {

void require_bus_endpoint(const std::string& entry) {
    for (const char* scheme : {"tcp://", "ipc://", "inproc://"})
        if (entry.rfind(scheme, 0) == 0 && entry.size() > std::string_view(scheme).size()) return;
    throw env::ConfigError("is not a ZeroMQ endpoint (tcp://host:port, ipc://path, inproc://name)");
}

std::string comma_joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

}  // namespace

void declare(config::Table& t, GatewayConfig& c) {
    // The protocol defaults are the option structs' own, so a server built without this table
    // (tests, the conformance server) behaves as the gateway does with nothing set.
    const engine::ServerOptions eio_defaults;
    const sio::ServerOptions sio_defaults;
    t.text("LOG_LEVEL", c.log_level, "info",
           "Log level of the JSON lines on stderr: debug, info, warn or error.",
           config::require_log_level)
        .text("HOST", c.host, "127.0.0.1", "Address to listen on (0.0.0.0 in containers).")
        .port("PORT", c.port, 3000,
              "Port of Socket.IO (/socket.io/), /health, /ws-status and /metrics (0: any free "
              "port).")
        .list("FRONTEND_URL", c.allowed_origins, comma_joined(eio_defaults.allowed_origins),
              "Browser origins allowed to connect, comma-separated scheme://host[:port]; * allows "
              "any.",
              config::require_url_with_scheme)
        .list("PULSE_BUS_CONNECT", c.bus_endpoints, "tcp://127.0.0.1:5556",
              "ZeroMQ PUB endpoints of the lifecycle services to subscribe to, comma-separated.",
              require_bus_endpoint)
        .text("PULSE_REPLAY_URL", c.replay_url, "",
              "Lifecycle base URL (http://host:port) whose replay endpoint fills bus gaps; empty: "
              "gaps are only logged and counted.",
              [](const std::string& url) {
                  if (!url.empty() && !bus::parse_http_url(url))
                      throw env::ConfigError("PULSE_REPLAY_URL: expected http://host:port, got " +
                                             url);
              })
        .millis("PING_INTERVAL_MS", c.ping_interval, eio_defaults.ping_interval.count(), 1, 3600000,
                "Engine.IO pingInterval in ms (handshake value).")
        .millis("PING_TIMEOUT_MS", c.ping_timeout, eio_defaults.ping_timeout.count(), 1, 3600000,
                "Engine.IO pingTimeout in ms: a client silent this long after a ping is closed.")
        .millis("CONNECT_TIMEOUT_MS", c.connect_timeout, sio_defaults.connect_timeout.count(), 1,
                3600000, "Time in ms a client has to connect to a namespace after the handshake.")
        .size("MAX_PAYLOAD_BYTES", c.max_payload, eio_defaults.max_payload, 1, std::size_t{1} << 30,
              "Engine.IO maxPayload: the largest polling POST body or WebSocket message.")
        .size("MAX_BUFFERED_BYTES", c.max_buffered_bytes, eio_defaults.max_buffered_bytes, 1024,
              std::size_t{1} << 34,
              "Bytes queued to one client before it is cut as too slow (slow-client cut).")
        .add({"IO_THREADS", "auto",
              "I/O threads (shards); auto: the CPUs this process may use (affinity mask, cgroup "
              "CPU quota), at most " +
                  std::to_string(kAutoIoThreadsCap) + ".",
              [&c](const std::string& text) {
                  if (text == "auto")
                      c.io_threads = std::min(config::usable_cpus(), kAutoIoThreadsCap);
                  else
                      try {
                          c.io_threads =
                              static_cast<std::size_t>(env::parse_int("IO_THREADS", text, 1, 256));
                      } catch (const env::ConfigError&) {
                          throw env::ConfigError(
                              "IO_THREADS must be auto or a whole number from 1 to 256, got '" +
                              text + "'");
                      }
              }})
        .millis("CONNECTION_STATE_RECOVERY_MS", c.recovery_window, 120000, 0, 86400000,
                "Socket.IO connection state recovery window in ms (a client that reconnects "
                "within it, to any replica, gets its rooms and the events it missed); 0 turns it "
                "off.")
        .secret("PULSE_RECOVERY_KEY", c.recovery_key,
                "Key (at least 16 characters) signing the recovery credentials; the same on "
                "every replica so a client resumes on any of them. Unset: a random key of this "
                "process (recovery on this replica only).",
                false,
                [](const std::string& key) {
                    if (!key.empty() && key.size() < 16)
                        throw env::ConfigError("PULSE_RECOVERY_KEY: at least 16 characters");
                })
        .text("PULSE_PRESENCE_BIND", c.presence_bind, "",
              "ZeroMQ endpoint this replica publishes its presence on (cluster-wide /health and "
              "/ws-status, docs/presence.md); empty: they answer for this replica only.",
              [](const std::string& e) {
                  if (!e.empty()) require_bus_endpoint(e);
              })
        .list("PULSE_PRESENCE_PEERS", c.presence_peers, "",
              "Presence endpoints of every replica, comma-separated (this replica's own may be "
              "listed: it is ignored).",
              require_bus_endpoint)
        .millis("PULSE_PRESENCE_TIMEOUT_MS", c.presence_timeout, 2000, 100, 600000,
                "A peer silent this long (ms) stops counting; its clients may resume elsewhere.")
        .millis("PULSE_STATUS_CACHE_MS", c.status_cache, 0, 0, 600000,
                "/health and /ws-status are rendered at most once per max(this, 10 x the last "
                "rendering's CPU time) in ms, the last body served in between, so that repeated "
                "requests cannot hog an I/O thread. 0: only the cost bound (small deployments "
                "are answered fresh every time).")
        .size("PULSE_STATUS_QUEUE", c.status_queue, 64, 1, 100000,
              "/health and /ws-status are answered by a thread of their own, off the I/O "
              "threads; past this many requests waiting for it, they are answered 503 at once.")
        .millis("PULSE_DRAIN_MS", c.drain, 10000, 0, 3600000,
                "SIGTERM: readiness 503 at once, then the sessions are closed spread over this "
                "many ms (clients resume on other replicas), then exit 0.")
        .text("PULSE_CLIENT_DIST", c.client_dist, "",
              "Folder of the npm socket.io-client package (package.json and dist/) whose browser "
              "bundles /socket.io/socket.io.js etc. serve; unset or without bundles: those URLs "
              "answer 404 JSON and start-up logs one warning.")
        .flag("PULSE_CONSOLE", c.console, false,
              "on serves the Pulse console page at GET /console (404 JSON when off).");
    declare_security(t, c.security);
}

config::Table make_gateway_table(GatewayConfig& c) {
    config::Table t("pulse-gateway",
                    "the Socket.IO v4 gateway of StellarStream Pulse (fed by the lifecycle's "
                    "ZeroMQ event bus).");
    declare(t, c);
    return t;
}

}  // namespace pulse::app
