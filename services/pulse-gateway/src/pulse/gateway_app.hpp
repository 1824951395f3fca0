#pragma once
// The two processes built from the gateway's layers, as functions a thin main() calls:
//   run_gateway               pulse-gateway: /socket.io/ with the stream-room app, fed by the bus,
//                             plus /health, /ws-status, /metrics
//   run_conformance_server    pulse-conformance-server: issue 3's protocol-test server
// Both block until SIGTERM/SIGINT, close every session with a proper close packet, return 0.
// Start-up problems (bad config, port in use, bad bus endpoint) throw with a one-line message.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pulse::app {

struct GatewayConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;  // 0: the kernel picks one; the "listening" log line says which
    std::vector<std::string> allowed_origins{"http://localhost:5173"};
    std::vector<std::string> bus_endpoints{"tcp://127.0.0.1:5556"};
    // The lifecycle's HTTP base URL whose replay endpoint fills bus gaps; empty: gaps are only
    // logged and counted.
    std::string replay_url;
    std::chrono::milliseconds ping_interval{25000};
    std::chrono::milliseconds ping_timeout{20000};
    std::chrono::milliseconds connect_timeout{45000};
    std::size_t max_payload = 1'000'000;
    std::size_t max_buffered_bytes = 1 << 20;
    std::size_t io_threads = 1;
    // Connection state recovery window; 0 turns it off (then events carry no offset argument).
    std::chrono::milliseconds recovery_window{0};

    // PORT, HOST, FRONTEND_URL, PULSE_BUS_CONNECT, PULSE_REPLAY_URL, PING_INTERVAL_MS,
    // PING_TIMEOUT_MS, CONNECT_TIMEOUT_MS, MAX_PAYLOAD_BYTES, MAX_BUFFERED_BYTES, IO_THREADS
    // (default: cores). Throws env::ConfigError naming the variable.
    static GatewayConfig from_env();
};

int run_gateway(const GatewayConfig& config);

// PORT (3000) and HOST (127.0.0.1) from the environment; everything else fixed by issue 3:
// pingInterval 300 ms, pingTimeout 200 ms, connectTimeout 1000 ms, maxPayload 1e6, any origin.
int run_conformance_server();

}  // namespace pulse::app
