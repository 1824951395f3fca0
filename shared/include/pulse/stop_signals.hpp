#pragma once
// "Run until SIGTERM/SIGINT" for every service main. Construct StopSignals first in main(),
// before any thread exists: it blocks both signals in the calling thread, every thread created
// afterwards inherits the mask, so only wait() ever receives them and no handler runs at an
// arbitrary point of another thread.
#include <signal.h>

namespace pulse {

class StopSignals {
  public:
    StopSignals();
    // Blocks until SIGTERM or SIGINT arrives; returns the signal number.
    int wait() const;
    // "SIGTERM" / "SIGINT" for a log line.
    static const char* name(int signal_number);

  private:
    sigset_t set_;
};

}  // namespace pulse
