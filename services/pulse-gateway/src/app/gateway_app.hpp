#pragma once
// The pulse-gateway process, assembled from the gateway's layers as a function the thin main()
// calls: /socket.io/ with the stream-room app, fed by the bus, plus /health, /ws-status, /metrics.
// It blocks until SIGTERM/SIGINT, closes every session with a proper close packet, returns 0.
// Start-up problems (bad config, port in use, bad bus endpoint) throw with a one-line message.
#include "app/gateway_config.hpp"

namespace pulse::app {

int run_gateway(const GatewayConfig& config);

}  // namespace pulse::app
