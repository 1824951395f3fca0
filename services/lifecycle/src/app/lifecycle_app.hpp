#pragma once
// Wires the layers together in start-up order (database, migrations, bus, HTTP, relay) and tears
// them down in reverse. Every start-up failure is a StartupError with one line saying what failed
// and where, e.g. "cannot reach PostgreSQL at 127.0.0.1:5432: connection refused".
#include <memory>
#include <stdexcept>
#include <string>

#include "app/config.hpp"

namespace pulse::lifecycle {

struct StartupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class LifecycleApp {
  public:
    explicit LifecycleApp(Config config);  // throws StartupError
    ~LifecycleApp();

    std::uint16_t http_port() const;
    const std::string& bus_endpoint() const;
    // Graceful: stop accepting, finish in-flight requests, stop the relay, flush the bus.
    void stop();

    struct Parts;

  private:
    Config config_;
    std::unique_ptr<Parts> parts_;
};

}  // namespace pulse::lifecycle
