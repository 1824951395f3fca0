// engine-echo-server: a raw Engine.IO v4 echo at /engine.io/ for this layer's conformance tests
// (tests/node/conformance/engine*.test.js). Also understands one test-only message, "flood N S":
// the server answers with N messages of S bytes, so a test can play a client too slow to read.
//
// Environment: see --help (PORT, HOST, PING_INTERVAL_MS, PING_TIMEOUT_MS, MAX_PAYLOAD_BYTES,
// MAX_BUFFERED_BYTES, UPGRADE_TIMEOUT_MS, FRONTEND_URL, IO_THREADS, LOG_LEVEL).
#include <cstdio>

#include <pulse/config_table.hpp>
#include <pulse/log.hpp>
#include <pulse/stop_signals.hpp>

#include "engine/server.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "net/io_shards.hpp"
#include "testing/echo.hpp"

namespace {

pulse::engine::Server::ConnectionHandler echo_with_flood() {
    auto echo = pulse::testing::echo_handler();
    return [echo](std::shared_ptr<pulse::engine::Socket> socket) {
        echo(socket);
        std::shared_ptr<pulse::engine::SocketListener> plain = std::move(socket->listener);
        std::weak_ptr<pulse::engine::Socket> weak = socket;
        auto listener = std::make_shared<pulse::engine::FunctionListener>();
        listener->close = [plain](pulse::engine::CloseReason reason) { plain->on_close(reason); };
        listener->message = [plain, weak](std::string_view data, bool binary) {
            unsigned long count = 0, size = 0;
            if (!binary && data.substr(0, 6) == "flood " &&
                std::sscanf(std::string(data).c_str(), "flood %lu %lu", &count, &size) == 2) {
                auto s = weak.lock();
                if (!s) return;
                // One shared packet for all copies: the same bytes, queued `count` times.
                auto packet = std::make_shared<const std::string>("4" + std::string(size, 'x'));
                for (unsigned long i = 0; i < count && i < 1000000; ++i)
                    s->send_text_packet(packet);
                return;
            }
            plain->on_message(data, binary);
        };
        socket->listener = std::move(listener);
    };
}

}  // namespace

int main(int argc, char** argv) {
    const pulse::StopSignals stop_signals;  // before any thread exists
    pulse::log::init("engine-echo");
    namespace config = pulse::config;
    // The engine's own defaults, except the short heartbeat and the open origins the
    // conformance tests expect.
    const pulse::engine::ServerOptions defaults;
    pulse::engine::ServerOptions options;
    pulse::http::ListenerOptions listen;
    std::string log_level;
    std::size_t threads = 0;
    config::Table table(
        "engine-echo-server",
        "a raw Engine.IO v4 echo at /engine.io/ for the engine's conformance tests; "
        "not for production.");
    table
        .text("LOG_LEVEL", log_level, "info", "Log level: debug, info, warn or error.",
              config::require_log_level)
        .text("HOST", listen.host, "127.0.0.1", "Address to listen on.")
        .port("PORT", listen.port, 3000, "Port (0: any free one; the listening line says which).")
        .millis("PING_INTERVAL_MS", options.ping_interval, 300, 1, 3600000, "pingInterval in ms.")
        .millis("PING_TIMEOUT_MS", options.ping_timeout, 200, 1, 3600000, "pingTimeout in ms.")
        .size("MAX_PAYLOAD_BYTES", options.max_payload, defaults.max_payload, 1,
              std::size_t{1} << 30, "maxPayload in bytes.")
        .size("MAX_BUFFERED_BYTES", options.max_buffered_bytes, defaults.max_buffered_bytes, 1024,
              std::size_t{1} << 34, "Bytes queued to one client before it is cut.")
        .millis("UPGRADE_TIMEOUT_MS", options.upgrade_timeout, defaults.upgrade_timeout.count(), 1,
                3600000, "Time in ms an upgrade may take.")
        .list("FRONTEND_URL", options.allowed_origins, "*", "Allowed browser origins; * any.")
        .size("IO_THREADS", threads, 2, 1, 64, "I/O threads (shards).");
    if (auto exit_code = config::start(argc, argv, table)) return *exit_code;
    try {
        pulse::net::IoShards shards(threads);
        pulse::engine::Server server(shards, options, echo_with_flood());
        pulse::http::Router router;
        router.mount("/engine.io/", server);
        router.get("/health", [&server](const pulse::http::Request&) {
            return pulse::http::json_response(
                200,
                "{\"status\":\"ok\",\"sessions\":" + std::to_string(server.session_count()) + "}");
        });
        pulse::http::Listener listener(shards, router, listen);
        shards.start();
        listener.start();
        pulse::log::info("listening", {{"host", listen.host}, {"port", listener.port()}});

        const int sig = stop_signals.wait();
        pulse::log::info("stopping", {{"signal", sig}, {"sessions", server.session_count()}});
        listener.stop();
        pulse::engine::shutdown_and_wait({&server});
        shards.stop_and_join();
        pulse::log::info("stopped");
        return 0;
    } catch (const std::exception& e) {
        pulse::log::error("startup failed", {{"error", e.what()}});
        return 1;
    }
}
