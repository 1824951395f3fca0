#pragma once
// The lifecycle's Prometheus metrics (GET /metrics), on the shared writer (pulse/prometheus.hpp).
// Every series exists from the start (zero until used), so dashboards and alerts see them before
// the first request.
#include <array>
#include <chrono>
#include <string_view>

#include "pulse/prometheus.hpp"

namespace pulse::lifecycle {

class StreamService;
namespace bus {
class Publisher;
}
namespace outbox {
class ElectedPublisher;
class CommandWriter;
}  // namespace outbox
namespace http {
struct ServerStats;
}

// Routes as metric labels; anything else is "other" so a scanner cannot grow the series.
enum class Route {
    test_stream,
    test_withdrawal,
    test_cancellation,
    health,
    livez,
    readyz,
    metrics,
    outbox,
    other
};
Route route_of(std::string_view path);
const char* route_name(Route r);

class Metrics {
  public:
    Metrics();
    // Counters that live in the parts themselves, read at scrape time.
    void expose(const StreamService& service, const bus::Publisher& publisher,
                const outbox::ElectedPublisher& outbox, const outbox::CommandWriter& writer);
    // The HTTP server's abuse counters (accept back-off, timeouts, refused requests).
    void expose_http(const http::ServerStats& stats);

    void observe_request(Route route, int status, std::chrono::steady_clock::duration took);
    // Time spent in one database operation (transaction, replay read, health probe).
    void observe_database(Route route, std::chrono::steady_clock::duration took);

    std::string text() const { return registry_.text(); }

  private:
    static constexpr std::size_t kRoutes = 9;
    prom::Registry registry_;
    std::array<prom::Histogram*, kRoutes> duration_{};
    std::array<prom::Histogram*, kRoutes> database_{};
    std::array<std::array<prom::Counter*, 3>, kRoutes> responses_{};  // 2xx, 4xx, 5xx
};

}  // namespace pulse::lifecycle
