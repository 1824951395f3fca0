#include "app/gateway_app.hpp"

#include <sys/random.h>

#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

#include <pulse/env_config.hpp>
#include <pulse/log.hpp>
#include <pulse/stop_signals.hpp>
#include <pulse/stream_room.hpp>

#include "app/auth.hpp"
#include "app/client_bundle.hpp"
#include "app/console_page.hpp"
#include "app/gateway_metrics.hpp"
#include "app/presence.hpp"
#include "app/presence_link.hpp"
#include "app/status.hpp"
#include "app/status_cache.hpp"
#include "app/status_endpoint.hpp"
#include "app/stream_rooms.hpp"
#include "bus/subscriber.hpp"
#include "engine/server.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "net/io_shards.hpp"
#include "sio/broadcaster.hpp"
#include "sio/recovery.hpp"
#include "sio/recovery_credential.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

namespace pulse::app {
namespace {

using namespace std::chrono_literals;

Scope scope_of(const http::Request& r) {
    return r.query.find("scope=local") != std::string::npos ? Scope::local : Scope::cluster;
}

// A key of this process alone: credentials it issues are worthless to any other.
std::string random_key() {
    std::string key(32, '\0');
    std::size_t got = 0;
    while (got < key.size()) {  // the kernel's CSPRNG; a short read only happens on signals
        const ssize_t n = getrandom(key.data() + got, key.size() - got, 0);
        if (n > 0) got += static_cast<std::size_t>(n);
    }
    return key;
}

}  // namespace

int run_gateway(const GatewayConfig& config) {
    const StopSignals stop_signals;

    net::IoShards shards(config.io_threads);
    Presence presence({}, config.presence_timeout, config.recovery_window);
    std::unique_ptr<PresenceLink> presence_link;
    if (!config.presence_bind.empty())
        presence_link = std::make_unique<PresenceLink>(
            presence, PresenceLinkOptions{config.presence_bind, config.presence_peers});
    std::unique_ptr<sio::RecoveryStore> recovery;
    std::unique_ptr<sio::RecoveryCredential> credential;
    if (config.recovery_window.count() > 0) {
        recovery = std::make_unique<sio::RecoveryStore>(shards.size(), config.recovery_window);
        if (config.recovery_key.empty() && presence_link)
            log::warn(
                "PULSE_RECOVERY_KEY is not set: clients resume only on the replica that "
                "held them (set the same key on every replica)");
        credential = std::make_unique<sio::RecoveryCredential>(
            config.recovery_key.empty() ? random_key() : config.recovery_key);
        // A client of another (dead or drained) replica resumes here with the rooms that
        // replica last reported on the presence link; every resume without an offset starts at
        // its rooms' join offsets.
        connect_recovery(*recovery, presence, credential.get());
    }
    StreamRoomStats room_stats;
    sio::ServerOptions sio_options;
    sio_options.max_packets_per_second =
        static_cast<std::uint32_t>(config.security.max_packets_per_second);
    sio_options.flood_closes = &room_stats.flood_closes;
    sio_options.connect_timeout = config.connect_timeout;
    sio_options.recovery = recovery.get();
    sio::Server sio(shards.size(), sio_options);
    const SecurityConfig& security = config.security;
    std::unique_ptr<Authenticator> auth;
    if (security.auth_jwt) {
        auth = std::make_unique<Authenticator>(jwt::Verifier(security.jwt), shards);
        auth->install(sio);
    }
    install_stream_rooms(
        sio, presence,
        StreamRoomPolicy{auth.get(), security.max_rooms_per_socket,
                         static_cast<std::uint32_t>(security.max_joins_per_second), &room_stats});

    // The configured values (gateway_config.cpp holds their defaults); the upgrade timeout keeps
    // the engine's own.
    const engine::ServerOptions eio_options{
        .ping_interval = config.ping_interval,
        .ping_timeout = config.ping_timeout,
        .max_payload = config.max_payload,
        .max_buffered_bytes = config.max_buffered_bytes,
        .allowed_origins = config.allowed_origins,
        .max_connections_per_address = config.security.max_connections_per_ip};
    engine::Server engine(shards, eio_options, [&](std::shared_ptr<engine::Socket> socket) {
        auto& context = shards.at(socket->shard());
        sio.attach(std::move(socket), context);
    });

    // The bus hands each decoded event to the one broadcast path (sio::Broadcaster).
    std::unique_ptr<GatewayMetrics> metrics;  // set before bus.start(), the sink's first call
    sio::Broadcaster broadcaster(shards, sio, "/", recovery.get());
    bus::Subscriber bus(
        config.bus_endpoints,
        [&](const envelope::RawEnvelope& e) {
            metrics->bus_event(e);
            broadcaster.broadcast(e.rooms, e.event, e.data_json, sio::Offset{e.epoch, e.seq});
        },
        config.replay_url, security.replay_token);
    metrics = std::make_unique<GatewayMetrics>(shards.size(), engine, presence, bus.stats());
    metrics->expose_security(auth ? &auth->stats() : nullptr, room_stats);
    if (auth) auth->count_failures_in(metrics->auth_failures);
    room_stats.auth_failures = &metrics->auth_failures;
    broadcaster.on_delivered([&metrics](std::size_t shard, std::size_t sent, auto took) {
        metrics->delivered(shard, sent, took);
    });

    http::Router router;
    router.mount("/socket.io/", engine);
    const ClientBundle client_bundle = load_client_bundle(config.client_dist);
    if (!client_bundle.problem.empty())
        log::warn("socket.io client bundle not served (/socket.io/socket.io.js answers 404)",
                  {{"reason", client_bundle.problem}});
    install_client_bundle(router, client_bundle);
    install_console(router, config.console);
    // Plain routes, each timed under its own path.
    auto route = [&](const std::string& path,
                     std::function<http::Response(const http::Request&)> answer) {
        prom::Histogram& took = metrics->route_duration(path);
        router.get(path, [&took, answer = std::move(answer)](const http::Request& request) {
            const auto started = std::chrono::steady_clock::now();
            http::Response r = answer(request);
            took.observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            return r;
        });
    };
    // The presence answers, one cache per route and scope (their cost grows with the users).
    struct StatusCaches {
        explicit StatusCaches(std::chrono::milliseconds floor) : cluster(floor), local(floor) {}
        StatusCache cluster, local;
        StatusCache& of(Scope s) { return s == Scope::local ? local : cluster; }
        std::uint64_t renders() const { return cluster.renders() + local.renders(); }
    };
    StatusCaches health_cache(config.status_cache), ws_status_cache(config.status_cache);
    metrics->expose_status_renders("/health", [&] { return health_cache.renders(); });
    metrics->expose_status_renders("/ws-status", [&] { return ws_status_cache.renders(); });
    // Answered by the status endpoint's own thread, off the I/O threads that deliver events
    // (app/status_endpoint.hpp); each path is timed as a plain route is.
    StatusEndpoint status(http::ListenerOptions{}.body_limit, config.status_queue);
    metrics->expose_status_overloaded([&status] { return status.overloaded(); });
    auto status_route = [&](const std::string& path, StatusEndpoint::Answer answer) {
        prom::Histogram& took = metrics->route_duration(path);
        status.add(path, std::move(answer), [&took](double seconds) { took.observe(seconds); });
        router.mount(path, status);
    };
    status_route("/health", [&](const http::Request& r) {
        const Scope scope = scope_of(r);
        return http::json_response(
            200, *health_cache.of(scope).get([&] { return health_json(presence, scope); }));
    });
    // Both tell who is online: behind PULSE_ADMIN_TOKEN when set (app/security_config.hpp).
    status_route("/ws-status", [&](const http::Request& r) {
        if (auto refusal = admin_refusal(security, r, true)) return std::move(*refusal);
        const Scope scope = scope_of(r);
        return http::json_response(
            200, *ws_status_cache.of(scope).get([&] { return ws_status_json(presence, scope); }));
    });
    // Alive: the process answers. Ready: linked to a lifecycle's bus and not draining.
    route("/livez",
          [](const http::Request&) { return http::json_response(200, R"({"status":"alive"})"); });
    route("/readyz", [&](const http::Request&) {
        const bool bus_linked = bus.stats().links.load() > 0;
        const bool draining = engine.draining();
        nlohmann::ordered_json j;
        j["status"] = bus_linked && !draining ? "ready" : "not ready";
        j["bus"] = bus_linked;
        j["draining"] = draining;
        j["presencePeers"] = presence.peer_count();
        return http::json_response(bus_linked && !draining ? 200 : 503, j.dump());
    });
    route("/metrics", [&](const http::Request& request) {
        if (auto refusal = admin_refusal(security, request, false)) return std::move(*refusal);
        http::Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics->text();
        return r;
    });

    http::ListenerOptions listen;
    listen.host = config.host;
    listen.port = config.port;
    listen.header_limit = config.security.http_header_limit;
    listen.header_timeout = config.security.http_header_timeout;
    listen.trusted_proxies = config.security.trusted_proxies;
    listen.shed_idle_per_shard = config.security.shed_idle_handshakes;
    http::Listener listener(shards, router, listen);
    metrics->expose_accept_errors([&listener] { return listener.accept_errors(); });
    metrics->expose_header_timeouts([&listener] { return listener.header_timeouts(); });
    metrics->expose_shed_connections([&listener] { return listener.shed_connections(); });
    status.start();
    bus.start();
    if (presence_link) presence_link->start();
    shards.start();
    listener.start();
    log::info("listening", {{"host", config.host},
                            {"port", listener.port()},
                            {"io_threads", shards.size()},
                            {"bus", config.bus_endpoints},
                            {"replay", config.replay_url},
                            {"recovery_ms", config.recovery_window.count()},
                            {"client_bundle", client_bundle.version},
                            {"console", config.console},
                            {"recovery_key", config.recovery_key.empty() ? "per process" : "(set)"},
                            {"presence", presence_link ? presence_link->endpoint() : "local only"},
                            {"drain_ms", config.drain.count()},
                            {"origins", config.allowed_origins},
                            {"auth", security.auth_jwt ? "jwt" : "off"},
                            {"jwt_algorithms", auth ? auth->verifier().algorithms() : ""},
                            {"admin_token", !security.admin_token.empty()},
                            {"replay_token", !security.replay_token.empty()},
                            {"max_rooms_per_socket", security.max_rooms_per_socket},
                            {"max_joins_per_s", security.max_joins_per_second},
                            {"max_connections_per_ip", security.max_connections_per_ip},
                            {"trusted_proxies", !security.trusted_proxies.empty()}});

    const int sig = stop_signals.wait();
    // The drain: readiness 503 and no new sessions at once; the open sessions are closed spread
    // over PULSE_DRAIN_MS so that their clients resume on the other replicas (recovery) without
    // all arriving in the same millisecond; the listener keeps serving their last requests.
    log::info("draining", {{"signal", sig},
                           {"sessions", engine.session_count()},
                           {"drain_ms", config.drain.count()}});
    engine.drain(config.drain);
    const auto deadline = std::chrono::steady_clock::now() + config.drain + 2s;
    while (engine.session_count() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    log::info("stopping", {{"sessions", engine.session_count()}});
    listener.stop();
    engine::shutdown_and_wait({&engine});
    status.stop();  // before the shards: a reply posts to its connection's shard
    if (presence_link) presence_link->stop();
    shards.stop_and_join();
    bus.stop();
    log::info("stopped");
    return 0;
}

}  // namespace pulse::app
