// pulse-gateway: the Socket.IO v4 server of StellarStream Pulse. Everything lives in gateway_core;
// the configuration (environment variables, --help, --version) is src/app/gateway_config.cpp.
#include <cstdio>
#include <exception>

#include <pulse/config_table.hpp>
#include <pulse/log.hpp>

#include "app/gateway_app.hpp"

int main(int argc, char** argv) {
    pulse::log::init("gateway");
    pulse::app::GatewayConfig config;
    auto table = pulse::app::make_gateway_table(config);
    if (auto exit_code = pulse::config::start(argc, argv, table)) return *exit_code;
    try {
        return pulse::app::run_gateway(config);
    } catch (const std::exception& e) {
        pulse::log::error("startup failed", {{"error", e.what()}});
        return 1;
    }
}
