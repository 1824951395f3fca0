#include "app/gateway_metrics.hpp"

#include <pulse/clock.hpp>
#include <pulse/envelope.hpp>
#include <pulse/json_canonical.hpp>

#include "app/auth.hpp"
#include "app/presence.hpp"
#include "app/stream_rooms.hpp"
#include "bus/subscriber.hpp"
#include "engine/server.hpp"

namespace pulse::app {
namespace {
constexpr const char* kRateLimitedHelp =
    "Requests, connections or joins refused by an abuse limit, by limit.";

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}
}  // namespace

GatewayMetrics::GatewayMetrics(std::size_t shards, const engine::Server& engine,
                               const Presence& presence, const bus::Stats& bus)
    : auth_failures(registry_.counter("pulse_gateway_auth_failures_total",
                                      "Connections or joins refused for a missing or bad token.")),
      shards_(new ShardCounters[shards]),
      shard_count_(shards),
      delivery_latency_(registry_.histogram(
          "pulse_gateway_delivery_latency_seconds",
          "From the bus thread receiving an event to a shard having written it to its sockets "
          "(one observation per event and shard).",
          prom::latency_buckets())),
      bus_lag_(registry_.gauge("pulse_gateway_bus_lag_seconds",
                               "Age of the newest bus event when it arrived: its timestamp (set "
                               "by the lifecycle) to the gateway's clock.")) {
    prom::add_build_info(registry_, "gateway");
    auto stat = [&engine](auto field) {
        return [&engine, field] { return static_cast<double>(engine.stats().*field); };
    };
    registry_.counter_fn("pulse_gateway_connects_total", "Engine.IO sessions opened.", {},
                         stat(&engine::ServerStats::sessions_opened));
    for (std::size_t r = 0; r < engine::kCloseReasons; ++r) {
        const auto reason = static_cast<engine::CloseReason>(r);
        registry_.counter_fn(
            "pulse_gateway_disconnects_total", "Engine.IO sessions ended, by reason.",
            {{"reason", to_string(reason)}},
            [&engine, r] { return static_cast<double>(engine.stats().closes[r]); });
    }
    registry_.counter_fn(
        "pulse_gateway_slow_client_cuts_total",
        "Sessions cut because more than MAX_BUFFERED_BYTES waited to be sent to them.", {},
        [&engine] {
            return static_cast<double>(
                engine.stats()
                    .closes[static_cast<std::size_t>(engine::CloseReason::send_overflow)]);
        });
    registry_.counter_fn(
        "pulse_gateway_origin_refusals_total",
        "Handshakes, polls and upgrades refused for an Origin not in FRONTEND_URL.", {},
        stat(&engine::ServerStats::origin_refusals));
    // The other limits' series join this family in expose_security().
    registry_.counter_fn("pulse_gateway_rate_limited_total", kRateLimitedHelp,
                         {{"limit", "connections_per_ip"}},
                         stat(&engine::ServerStats::address_refusals));
    registry_.counter_fn("pulse_gateway_sent_bytes_total",
                         "Engine.IO packet bytes queued to clients (WebSocket frame and HTTP "
                         "headers not included).",
                         {}, stat(&engine::ServerStats::bytes_queued));
    registry_.counter_fn("pulse_gateway_deliveries_total",
                         "Bus events written to a socket (one per event and receiving socket).", {},
                         [this] {
                             std::uint64_t n = 0;
                             for (std::size_t i = 0; i < shard_count_; ++i)
                                 n += shards_[i].deliveries.load(std::memory_order_relaxed);
                             return static_cast<double>(n);
                         });
    registry_.gauge_fn("pulse_gateway_sessions", "Open Engine.IO sessions by current transport.",
                       {{"transport", "polling"}}, stat(&engine::ServerStats::polling_sessions));
    registry_.gauge_fn("pulse_gateway_sessions", "Open Engine.IO sessions by current transport.",
                       {{"transport", "websocket"}},
                       stat(&engine::ServerStats::websocket_sessions));
    registry_.gauge_fn("pulse_gateway_connected_users",
                       "Addresses with at least one joined socket.", {},
                       [&presence] { return static_cast<double>(presence.user_count()); });
    registry_.gauge_fn("pulse_gateway_rooms",
                       "Stream rooms with at least one member on this replica (one per address).",
                       {}, [&presence] { return static_cast<double>(presence.user_count()); });
    struct BusCounter {
        const char* name;
        const char* help;
        const std::atomic<std::uint64_t> bus::Stats::*field;
    };
    for (const BusCounter& c : {
             BusCounter{"pulse_bus_messages_total", "Bus messages read.", &bus::Stats::received},
             BusCounter{"pulse_bus_malformed_total", "Bus messages dropped as malformed.",
                        &bus::Stats::malformed},
             BusCounter{"pulse_bus_duplicates_total", "Bus messages dropped as already seen.",
                        &bus::Stats::duplicates},
             BusCounter{"pulse_bus_delivered_total", "Bus events broadcast to the shards.",
                        &bus::Stats::delivered},
             BusCounter{"pulse_bus_gaps_total", "Jumps in the bus sequence.", &bus::Stats::gaps},
             BusCounter{"pulse_bus_missed_total", "Sequence numbers skipped by those jumps.",
                        &bus::Stats::missed},
             BusCounter{"pulse_bus_late_total", "Events that arrived after a jump over them.",
                        &bus::Stats::late},
             BusCounter{"pulse_bus_repaired_total",
                        "Missed events fetched from the replay endpoint.", &bus::Stats::repaired},
             BusCounter{"pulse_bus_repair_failures_total", "Failed gap repairs.",
                        &bus::Stats::repair_failures},
         }) {
        auto field = c.field;
        registry_.counter_fn(c.name, c.help, {},
                             [&bus, field] { return static_cast<double>((bus.*field).load()); });
    }
    prom::add_process_metrics(registry_);
}

void GatewayMetrics::bus_event(const envelope::RawEnvelope& event) {
    // data_json is compact JSON as dump() writes it: the timestamp is read without a parse
    // (data holding a float is not canonical: no sample then, never a wrong one).
    auto ts = json_canonical::top_level_string(event.data_json, "timestamp");
    if (!ts) return;
    if (auto created = parse_iso8601_utc_millis(*ts))
        bus_lag_.set(
            std::chrono::duration<double>(std::chrono::system_clock::now() - *created).count());
}

void GatewayMetrics::delivered(std::size_t shard, std::size_t deliveries,
                               std::chrono::steady_clock::duration since_bus) {
    auto& c = shards_[shard].deliveries;
    c.store(c.load(std::memory_order_relaxed) + deliveries, std::memory_order_relaxed);
    delivery_latency_.observe(seconds(since_bus));
}

prom::Histogram& GatewayMetrics::route_duration(const std::string& route) {
    return registry_.histogram("pulse_gateway_http_request_duration_seconds",
                               "Time to answer a plain HTTP route (Engine.IO traffic excluded).",
                               prom::latency_buckets(), {{"route", route}});
}

void GatewayMetrics::expose_accept_errors(std::function<std::uint64_t()> read) {
    registry_.counter_fn("pulse_gateway_accept_errors_total",
                         "Failed accepts (EMFILE and the like); the listener pauses after each.",
                         {}, [read = std::move(read)] { return static_cast<double>(read()); });
}

void GatewayMetrics::expose_status_renders(const std::string& route,
                                           std::function<std::uint64_t()> read) {
    registry_.counter_fn("pulse_gateway_status_renders_total",
                         "Renderings of /health and /ws-status bodies (the others were served "
                         "from the last rendering, PULSE_STATUS_CACHE_MS).",
                         {{"route", route}},
                         [read = std::move(read)] { return static_cast<double>(read()); });
}

void GatewayMetrics::expose_status_overloaded(std::function<std::uint64_t()> read) {
    registry_.counter_fn("pulse_gateway_status_overloaded_total",
                         "/health and /ws-status requests answered 503 at once: more than "
                         "PULSE_STATUS_QUEUE were waiting for the status thread.",
                         {}, [read = std::move(read)] { return static_cast<double>(read()); });
}

void GatewayMetrics::expose_header_timeouts(std::function<std::uint64_t()> read) {
    registry_.counter_fn("pulse_gateway_http_header_timeouts_total",
                         "Connections cut for not sending a request head within "
                         "PULSE_HTTP_HEADER_TIMEOUT_MS (slowloris).",
                         {}, [read = std::move(read)] { return static_cast<double>(read()); });
}

void GatewayMetrics::expose_shed_connections(std::function<std::uint64_t()> read) {
    registry_.counter_fn("pulse_gateway_shed_connections_total",
                         "Connections without a first request head closed to free descriptors "
                         "when accept() ran out (PULSE_SHED_IDLE_HANDSHAKES).",
                         {}, [read = std::move(read)] { return static_cast<double>(read()); });
}

void GatewayMetrics::expose_security(const AuthStats* auth, const StreamRoomStats& rooms) {
    auto read = [](const std::atomic<std::uint64_t>& v) {
        return [&v] { return static_cast<double>(v.load(std::memory_order_relaxed)); };
    };
    if (auth) {
        registry_.counter_fn("pulse_gateway_auth_accepted_total", "CONNECTs with a valid token.",
                             {}, read(auth->accepted));
        for (std::size_t i = 0; i < auth->refused.size(); ++i)
            registry_.counter_fn("pulse_gateway_auth_refused_total",
                                 "CONNECTs refused, by error code (PULSE_AUTH=jwt).",
                                 {{"code", std::string(jwt::code(static_cast<jwt::Error>(i)))}},
                                 read(auth->refused[i]));
        registry_.counter_fn("pulse_gateway_auth_expired_total",
                             "Sockets disconnected when their token expired.", {},
                             read(auth->expired));
    }
    // Every abuse-limit hit, one series per limit (the per-limit counters below predate it).
    const auto limited = [&](const char* limit, const std::atomic<std::uint64_t>& v) {
        registry_.counter_fn("pulse_gateway_rate_limited_total", kRateLimitedHelp,
                             {{"limit", limit}}, read(v));
    };
    limited("rooms_per_socket", rooms.too_many_rooms);
    limited("joins_per_second", rooms.join_rate_limited);
    limited("packets_per_second", rooms.flood_closes);

    registry_.counter_fn("pulse_gateway_room_forbidden_total",
                         "Joins or leaves of another account's room refused (PULSE_AUTH=jwt).", {},
                         read(rooms.forbidden));
    registry_.counter_fn("pulse_gateway_room_limit_total",
                         "Joins refused past PULSE_MAX_ROOMS_PER_SOCKET.", {},
                         read(rooms.too_many_rooms));
    registry_.counter_fn("pulse_gateway_flood_closes_total",
                         "Clients disconnected for sending more than PULSE_MAX_PACKETS_PER_S.", {},
                         read(rooms.flood_closes));
}

}  // namespace pulse::app
