#include "pulse/gateway_app.hpp"

#include <csignal>
#include <thread>

#include <boost/asio/post.hpp>

#include <pulse/env_config.hpp>
#include <pulse/log.hpp>

#include "bus/subscriber.hpp"
#include "engine/echo.hpp"
#include "engine/server.hpp"
#include "http/io_shards.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "pulse/presence.hpp"
#include "pulse/status.hpp"
#include "pulse/stream_rooms.hpp"
#include "sio/recovery.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

namespace pulse::app {
namespace {

using namespace std::chrono_literals;

// Blocks SIGTERM/SIGINT in this thread and in every thread created after it (shards, ZeroMQ's
// I/O thread, the bus reader), so that only wait_for_stop_signal() ever sees them.
sigset_t block_stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

int wait_for_stop_signal(const sigset_t& set) {
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}

// The graceful end: no new connections, every session closed with a close packet/frame and given
// a moment to flush, then the shard threads stop.
void shut_down(http::Listener& listener, std::vector<engine::Server*> servers,
               http::IoShards& shards) {
    listener.stop();
    for (auto* s : servers) s->shutdown();
    auto open = [&] {
        std::size_t n = 0;
        for (auto* s : servers) n += s->session_count();
        return n;
    };
    for (int i = 0; i < 100 && open() > 0; ++i) std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(50ms);
    shards.stop_and_join();
}

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

std::string metrics_text(const engine::Server& engine, const Presence& presence,
                         const bus::Stats& bus) {
    std::string out;
    auto line = [&out](const char* name, const char* type, const char* help, std::uint64_t v) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
        out += name;
        out += ' ';
        out += std::to_string(v);
        out += '\n';
    };
    line("pulse_gateway_sessions", "gauge", "Open Engine.IO sessions.", engine.session_count());
    line("pulse_gateway_connected_users", "gauge", "Addresses with at least one joined socket.",
         presence.user_count());
    line("pulse_bus_messages_total", "counter", "Bus messages read.", bus.received.load());
    line("pulse_bus_malformed_total", "counter", "Bus messages dropped as malformed.",
         bus.malformed.load());
    line("pulse_bus_duplicates_total", "counter", "Bus messages dropped as already seen.",
         bus.duplicates.load());
    line("pulse_bus_delivered_total", "counter", "Bus events broadcast to the shards.",
         bus.delivered.load());
    line("pulse_bus_gaps_total", "counter", "Jumps in the bus sequence.", bus.gaps.load());
    line("pulse_bus_missed_total", "counter", "Sequence numbers skipped by those jumps.",
         bus.missed.load());
    line("pulse_bus_late_total", "counter", "Events that arrived after a jump over them.",
         bus.late.load());
    line("pulse_bus_repaired_total", "counter", "Missed events fetched from the replay endpoint.",
         bus.repaired.load());
    line("pulse_bus_repair_failures_total", "counter", "Failed gap repairs.",
         bus.repair_failures.load());
    return out;
}

}  // namespace

GatewayConfig GatewayConfig::from_env() {
    GatewayConfig c;
    c.host = env::string_or("HOST", c.host);
    c.port = static_cast<std::uint16_t>(env::int_or("PORT", c.port, 0, 65535));
    c.allowed_origins = env::list_or("FRONTEND_URL", c.allowed_origins);
    c.bus_endpoints = env::list_or("PULSE_BUS_CONNECT", c.bus_endpoints);
    c.replay_url = env::string_or("PULSE_REPLAY_URL", "");
    if (!c.replay_url.empty() && !bus::parse_http_url(c.replay_url))
        throw env::ConfigError("PULSE_REPLAY_URL: expected http://host:port, got " + c.replay_url);
    c.ping_interval = std::chrono::milliseconds(env::int_or("PING_INTERVAL_MS", 25000, 1, 3600000));
    c.ping_timeout = std::chrono::milliseconds(env::int_or("PING_TIMEOUT_MS", 20000, 1, 3600000));
    c.connect_timeout =
        std::chrono::milliseconds(env::int_or("CONNECT_TIMEOUT_MS", 45000, 1, 3600000));
    c.max_payload =
        static_cast<std::size_t>(env::int_or("MAX_PAYLOAD_BYTES", 1000000, 1, 1LL << 30));
    c.max_buffered_bytes =
        static_cast<std::size_t>(env::int_or("MAX_BUFFERED_BYTES", 1 << 20, 1024, 1LL << 34));
    const auto cores = std::max(1u, std::thread::hardware_concurrency());
    c.io_threads = static_cast<std::size_t>(env::int_or("IO_THREADS", cores, 1, 256));
    c.recovery_window =
        std::chrono::milliseconds(env::int_or("CONNECTION_STATE_RECOVERY_MS", 0, 0, 86400000));
    return c;
}

int run_gateway(const GatewayConfig& config) {
    const sigset_t stop_signals = block_stop_signals();

    http::IoShards shards(config.io_threads);
    Presence presence;
    std::unique_ptr<sio::RecoveryStore> recovery;
    if (config.recovery_window.count() > 0)
        recovery = std::make_unique<sio::RecoveryStore>(shards.size(), config.recovery_window);
    sio::ServerOptions sio_options;
    sio_options.connect_timeout = config.connect_timeout;
    sio_options.recovery = recovery.get();
    sio::Server sio(shards.size(), sio_options);
    install_stream_rooms(sio, presence);

    engine::ServerOptions eio_options;
    eio_options.ping_interval = config.ping_interval;
    eio_options.ping_timeout = config.ping_timeout;
    eio_options.max_payload = config.max_payload;
    eio_options.max_buffered_bytes = config.max_buffered_bytes;
    eio_options.allowed_origins = config.allowed_origins;
    engine::Server engine(shards, eio_options, [&](std::shared_ptr<engine::Socket> socket) {
        auto& context = shards.at(socket->shard());
        sio.attach(std::move(socket), context);
    });

    // Every event is encoded once on the bus thread; each shard delivers it to its own sockets.
    bus::Subscriber bus(
        config.bus_endpoints,
        [&](const bus::Broadcast& b) {
            sio::RecoveryStore* store = recovery.get();
            const sio::Offset at{b.epoch, b.seq};
            if (store) store->record(at, b.rooms, b.packet);
            for (std::size_t i = 0; i < shards.size(); ++i) {
                boost::asio::post(shards.at(i), [&sio, store, at, i, b] {
                    if (auto* rooms = sio.rooms(i, "/")) rooms->broadcast(*b.rooms, b.packet);
                    if (store) store->processed(i, at);
                });
            }
        },
        config.replay_url, recovery != nullptr);

    http::Router router;
    router.mount_engine("/socket.io/", engine);
    router.get("/health", [&](const http::Request&) {
        return http::json_response(200, health_json(presence));
    });
    router.get("/ws-status", [&](const http::Request&) {
        return http::json_response(200, ws_status_json(presence));
    });
    router.get("/metrics", [&](const http::Request&) {
        http::Response r;
        r.content_type = "text/plain; version=0.0.4";
        r.body = metrics_text(engine, presence, bus.stats());
        return r;
    });

    http::ListenerOptions listen;
    listen.host = config.host;
    listen.port = config.port;
    http::Listener listener(shards, router, listen);
    bus.start();
    shards.start();
    listener.start();
    log::info("listening", {{"host", config.host},
                            {"port", listener.port()},
                            {"io_threads", shards.size()},
                            {"bus", config.bus_endpoints},
                            {"replay", config.replay_url},
                            {"recovery_ms", config.recovery_window.count()},
                            {"origins", config.allowed_origins}});

    const int sig = wait_for_stop_signal(stop_signals);
    log::info("stopping", {{"signal", sig}, {"sessions", engine.session_count()}});
    shut_down(listener, {&engine}, shards);
    bus.stop();
    log::info("stopped");
    return 0;
}

int run_conformance_server() {
    const sigset_t stop_signals = block_stop_signals();
    http::ListenerOptions listen;
    listen.host = env::string_or("HOST", "127.0.0.1");
    listen.port = static_cast<std::uint16_t>(env::int_or("PORT", 3000, 0, 65535));
    const auto threads = static_cast<std::size_t>(env::int_or("IO_THREADS", 2, 1, 64));

    engine::ServerOptions eio_options;
    eio_options.ping_interval = 300ms;
    eio_options.ping_timeout = 200ms;
    eio_options.max_payload = 1'000'000;
    eio_options.allowed_origins = {"*"};

    http::IoShards shards(threads);
    sio::ServerOptions sio_options;
    sio_options.connect_timeout = 1000ms;
    sio::Server sio(shards.size(), sio_options);
    sio.add_namespace("/", conformance_handler());
    sio.add_namespace("/custom", conformance_handler());

    engine::Server raw_echo(shards, eio_options, engine::echo_handler());
    engine::Server socketio(shards, eio_options, [&](std::shared_ptr<engine::Socket> socket) {
        auto& context = shards.at(socket->shard());
        sio.attach(std::move(socket), context);
    });

    http::Router router;
    router.mount_engine("/engine.io/", raw_echo);
    router.mount_engine("/socket.io/", socketio);
    http::Listener listener(shards, router, listen);
    shards.start();
    listener.start();
    log::info("listening", {{"host", listen.host}, {"port", listener.port()}});

    const int sig = wait_for_stop_signal(stop_signals);
    log::info("stopping", {{"signal", sig}});
    shut_down(listener, {&raw_echo, &socketio}, shards);
    log::info("stopped");
    return 0;
}

}  // namespace pulse::app
