// pulse-lifecycle: see services/lifecycle/CMakeLists.txt for the layers. This file only reads the
// configuration (app/config.cpp: --help, --version, exit 2 on a bad setting), starts the app, and
// waits for SIGTERM/SIGINT to stop it gracefully.
#include <cstdlib>

#include "app/config.hpp"
#include "app/lifecycle_app.hpp"
#include "pulse/config_table.hpp"
#include "pulse/env_config.hpp"
#include "pulse/log.hpp"
#include "pulse/stop_signals.hpp"

int main(int argc, char** argv) {
    // Before any thread exists: see stop_signals.hpp.
    const pulse::StopSignals stop_signals;

    pulse::log::init("lifecycle");
    pulse::lifecycle::Config config;
    auto table = pulse::lifecycle::make_table(config);
    if (auto exit_code = pulse::config::start(argc, argv, table)) return *exit_code;

    try {
        pulse::lifecycle::LifecycleApp app(std::move(config));
        const int signal_number = stop_signals.wait();
        pulse::log::info("stopping", {{"signal", pulse::StopSignals::name(signal_number)}});
        app.stop();
        pulse::log::info("stopped");
        return 0;
    } catch (const pulse::env::ConfigError& e) {
        pulse::log::error(std::string("bad configuration: ") + e.what());
        return 2;
    } catch (const pulse::lifecycle::StartupError& e) {
        pulse::log::error(e.what());
        return 1;
    } catch (const std::exception& e) {
        pulse::log::error(std::string("fatal: ") + e.what());
        return 1;
    }
}
