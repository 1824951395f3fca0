// pulse-gateway: the Socket.IO v4 server of StellarStream Pulse. Everything lives in gateway_core;
// see src/pulse/gateway_app.hpp for the configuration (environment variables).
#include <cstdio>
#include <exception>

#include <pulse/log.hpp>

#include "pulse/gateway_app.hpp"

int main() {
    pulse::log::init("gateway");
    try {
        return pulse::app::run_gateway(pulse::app::GatewayConfig::from_env());
    } catch (const std::exception& e) {
        pulse::log::error("startup failed", {{"error", e.what()}});
        std::fprintf(stderr, "pulse-gateway: %s\n", e.what());
        return 1;
    }
}
