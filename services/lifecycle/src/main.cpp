// pulse-lifecycle: see services/lifecycle/CMakeLists.txt for the layers. This file only reads the
// configuration, starts the app, and waits for SIGTERM/SIGINT to stop it gracefully.
#include <pthread.h>
#include <signal.h>

#include <cstdlib>

#include "app/config.hpp"
#include "app/lifecycle_app.hpp"
#include "pulse/env_config.hpp"
#include "pulse/log.hpp"

int main() {
    // Block the stop signals before any thread exists so every thread inherits the mask and
    // only sigwait() below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        pulse::log::init("lifecycle");
    } catch (const std::exception& e) {
        pulse::log::error(e.what());
        return 2;
    }

    try {
        auto config = pulse::lifecycle::load_config();
        pulse::lifecycle::LifecycleApp app(std::move(config));
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        pulse::log::info("stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
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
