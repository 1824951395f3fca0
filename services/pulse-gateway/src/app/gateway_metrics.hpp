#pragma once
// pulse-gateway's Prometheus metrics (GET /metrics) on the shared writer (pulse/prometheus.hpp).
// Counters the layers already keep (engine::ServerStats, bus::Stats, Presence) are read at scrape
// time; what only the application sees (deliveries, bus -> socket latency, bus lag, HTTP route
// durations, auth failures, rate limits) is counted here. Names: docs/metrics.md.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <pulse/prometheus.hpp>

namespace pulse::engine {
class Server;
}
namespace pulse::bus {
struct Stats;
}
namespace pulse::envelope {
struct RawEnvelope;
}

namespace pulse::app {

struct AuthStats;
struct StreamRoomStats;

class Presence;

class GatewayMetrics {
    prom::Registry registry_;  // first: the public counters below are registered in it

  public:
    GatewayMetrics(std::size_t shards, const engine::Server& engine, const Presence& presence,
                   const bus::Stats& bus);

    // On the bus thread, once per event: how old the event was when it arrived.
    void bus_event(const envelope::RawEnvelope& event);
    // On shard `shard`'s thread after it delivered one event to `deliveries` sockets,
    // `since_bus` after the bus thread received it.
    void delivered(std::size_t shard, std::size_t deliveries,
                   std::chrono::steady_clock::duration since_bus);
    // A plain HTTP route answered (route as registered, e.g. "/health").
    prom::Histogram& route_duration(const std::string& route);

    // For the auth code: one increment per refused token or forbidden join.
    prom::Counter& auth_failures;

    // The auth and abuse-limit counters, by code and by limit (read at scrape time); `auth` null
    // when off.
    void expose_security(const AuthStats* auth, const StreamRoomStats& rooms);
    // Failed accepts of the listener (EMFILE and the like), read at scrape time.
    void expose_accept_errors(std::function<std::uint64_t()> read);
    // Renderings of a status route's body (app/status_cache.hpp), read at scrape time.
    void expose_status_renders(const std::string& route, std::function<std::uint64_t()> read);
    // Status requests answered 503 because the status worker's queue was full.
    void expose_status_overloaded(std::function<std::uint64_t()> read);
    // Connections cut for not sending a request head within PULSE_HTTP_HEADER_TIMEOUT_MS.
    void expose_header_timeouts(std::function<std::uint64_t()> read);
    // Connections without a first request head closed because accept() ran out of descriptors.
    void expose_shed_connections(std::function<std::uint64_t()> read);

    std::string text() const { return registry_.text(); }

  private:
    struct alignas(64) ShardCounters {
        std::atomic<std::uint64_t> deliveries{0};  // written by its shard only
    };
    std::unique_ptr<ShardCounters[]> shards_;
    std::size_t shard_count_;
    prom::Histogram& delivery_latency_;
    prom::Gauge& bus_lag_;
};

}  // namespace pulse::app
