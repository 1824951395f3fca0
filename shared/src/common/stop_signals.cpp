#include "pulse/stop_signals.hpp"

#include <pthread.h>

namespace pulse {

StopSignals::StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::wait() const {
    int signal_number = 0;
    sigwait(&set_, &signal_number);
    return signal_number;
}

const char* StopSignals::name(int signal_number) {
    return signal_number == SIGTERM ? "SIGTERM" : signal_number == SIGINT ? "SIGINT" : "signal";
}

}  // namespace pulse
