// engine-echo-server: a raw Engine.IO v4 echo at /engine.io/ for this layer's conformance tests
// (tests/node/conformance/engine*.test.js). Also understands one test-only message, "flood N S":
// the server answers with N messages of S bytes, so a test can play a client too slow to read.
//
// Environment: PORT (0 = pick one; the "listening" log line says which), HOST, PING_INTERVAL_MS
// (300), PING_TIMEOUT_MS (200), MAX_PAYLOAD_BYTES (1e6), MAX_BUFFERED_BYTES (1 MiB), FRONTEND_URL
// (*), IO_THREADS (2), LOG_LEVEL.
#include <csignal>
#include <cstdio>
#include <thread>

#include "engine/echo.hpp"
#include "engine/server.hpp"
#include "http/io_shards.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "pulse/env_config.hpp"
#include "pulse/log.hpp"

namespace {

pulse::engine::Server::ConnectionHandler echo_with_flood() {
    auto echo = pulse::engine::echo_handler();
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

int main() {
    pulse::log::init("engine-echo");
    try {
        namespace env = pulse::env;
        pulse::engine::ServerOptions options;
        options.ping_interval =
            std::chrono::milliseconds(env::int_or("PING_INTERVAL_MS", 300, 1, 3600000));
        options.ping_timeout =
            std::chrono::milliseconds(env::int_or("PING_TIMEOUT_MS", 200, 1, 3600000));
        options.max_payload =
            static_cast<std::size_t>(env::int_or("MAX_PAYLOAD_BYTES", 1000000, 1, 1 << 30));
        options.max_buffered_bytes =
            static_cast<std::size_t>(env::int_or("MAX_BUFFERED_BYTES", 1 << 20, 1024, 1LL << 34));
        options.upgrade_timeout =
            std::chrono::milliseconds(env::int_or("UPGRADE_TIMEOUT_MS", 10000, 1, 3600000));
        options.allowed_origins = env::list_or("FRONTEND_URL", {"*"});
        pulse::http::ListenerOptions listen;
        listen.host = env::string_or("HOST", "127.0.0.1");
        listen.port = static_cast<std::uint16_t>(env::int_or("PORT", 3000, 0, 65535));
        const auto threads = static_cast<std::size_t>(env::int_or("IO_THREADS", 2, 1, 64));

        // Block the stop signals in every thread; main waits for them with sigwait.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGTERM);
        sigaddset(&stop_signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

        pulse::http::IoShards shards(threads);
        pulse::engine::Server server(shards, options, echo_with_flood());
        pulse::http::Router router;
        router.mount_engine("/engine.io/", server);
        router.get("/health", [&server](const pulse::http::Request&) {
            return pulse::http::json_response(
                200,
                "{\"status\":\"ok\",\"sessions\":" + std::to_string(server.session_count()) + "}");
        });
        pulse::http::Listener listener(shards, router, listen);
        shards.start();
        listener.start();
        pulse::log::info("listening", {{"host", listen.host}, {"port", listener.port()}});

        int sig = 0;
        sigwait(&stop_signals, &sig);
        pulse::log::info("stopping", {{"signal", sig}, {"sessions", server.session_count()}});
        listener.stop();
        server.shutdown();
        // Give sessions a moment to flush their close packets / frames.
        for (int i = 0; i < 100 && server.session_count() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        shards.stop_and_join();
        pulse::log::info("stopped");
        return 0;
    } catch (const std::exception& e) {
        pulse::log::error("startup failed", {{"error", e.what()}});
        std::fprintf(stderr, "engine-echo-server: %s\n", e.what());
        return 1;
    }
}
