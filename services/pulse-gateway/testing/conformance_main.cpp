// pulse-conformance-server: the protocol-test server, built from the gateway's layers (not part of
// any production library). /engine.io/ echoes every Engine.IO message; /socket.io/ answers
// `message` with `message-back`, acks `message-with-ack`, emits `auth` on connect, has a
// `/custom` namespace, refuses others.
//
// Environment: see --help (LOG_LEVEL, HOST, PORT, IO_THREADS). Everything else is fixed for the
// conformance tests: pingInterval 300 ms, pingTimeout 200 ms, connectTimeout 1000 ms, maxPayload
// 1e6, any origin.
#include <exception>

#include <pulse/config_table.hpp>
#include <pulse/log.hpp>
#include <pulse/stop_signals.hpp>

#include "engine/server.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "net/io_shards.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"
#include "testing/echo.hpp"

namespace {

using namespace pulse;
using namespace std::chrono_literals;

sio::Server::ConnectionHandler conformance_handler() {
    return [](sio::Socket& socket) {
        socket.emit("auth", sio::Json::array({socket.auth()}));
        socket.on("message", [](sio::Socket& s, const sio::Json& args, const sio::Ack&) {
            s.emit("message-back", args);
        });
        socket.on("message-with-ack", [](sio::Socket&, const sio::Json& args, const sio::Ack& ack) {
            if (ack) ack(args);
        });
    };
}

struct Settings {
    std::string log_level;
    http::ListenerOptions listen;
    std::size_t threads = 0;
};

config::Table declare(Settings& s) {
    config::Table t("pulse-conformance-server",
                    "the protocol-test server (Engine.IO echo at /engine.io/, Socket.IO test "
                    "namespaces at /socket.io/); not for production.");
    t.text("LOG_LEVEL", s.log_level, "info", "Log level: debug, info, warn or error.",
           config::require_log_level)
        .text("HOST", s.listen.host, "127.0.0.1", "Address to listen on.")
        .port("PORT", s.listen.port, 3000, "Port (0: any free one; the listening line says which).")
        .size("IO_THREADS", s.threads, 2, 1, 64, "I/O threads (shards).");
    return t;
}

int run(const StopSignals& stop_signals, const Settings& settings) {
    const http::ListenerOptions& listen = settings.listen;
    const std::size_t threads = settings.threads;

    engine::ServerOptions eio_options;
    eio_options.ping_interval = 300ms;
    eio_options.ping_timeout = 200ms;
    eio_options.allowed_origins = {"*"};

    net::IoShards shards(threads);
    sio::ServerOptions sio_options;
    sio_options.connect_timeout = 1000ms;
    sio::Server sio(shards.size(), sio_options);
    sio.add_namespace("/", conformance_handler());
    sio.add_namespace("/custom", conformance_handler());

    engine::Server raw_echo(shards, eio_options, testing::echo_handler());
    engine::Server socketio(shards, eio_options, [&](std::shared_ptr<engine::Socket> socket) {
        auto& context = shards.at(socket->shard());
        sio.attach(std::move(socket), context);
    });

    http::Router router;
    router.mount("/engine.io/", raw_echo);
    router.mount("/socket.io/", socketio);
    http::Listener listener(shards, router, listen);
    shards.start();
    listener.start();
    log::info("listening", {{"host", listen.host}, {"port", listener.port()}});

    const int sig = stop_signals.wait();
    log::info("stopping", {{"signal", sig}});
    listener.stop();
    engine::shutdown_and_wait({&raw_echo, &socketio});
    shards.stop_and_join();
    log::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const pulse::StopSignals stop_signals;  // before any thread exists
    pulse::log::init("conformance");
    Settings settings;
    auto table = declare(settings);
    if (auto exit_code = pulse::config::start(argc, argv, table)) return *exit_code;
    try {
        return run(stop_signals, settings);
    } catch (const std::exception& e) {
        pulse::log::error("startup failed", {{"error", e.what()}});
        return 1;
    }
}
