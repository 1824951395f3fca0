#include "app/metrics.hpp"

#include "bus/publisher.hpp"
#include "domain/stream_service.hpp"
#include "http/server_stats.hpp"
#include "outbox/command_writer.hpp"
#include "outbox/elected_publisher.hpp"

namespace pulse::lifecycle {

Route route_of(std::string_view path) {
    if (path == "/api/test/test-stream") return Route::test_stream;
    if (path == "/api/test/test-withdrawal") return Route::test_withdrawal;
    if (path == "/api/test/test-cancellation") return Route::test_cancellation;
    if (path == "/health") return Route::health;
    if (path == "/livez") return Route::livez;
    if (path == "/readyz") return Route::readyz;
    if (path == "/metrics") return Route::metrics;
    if (path == "/internal/outbox") return Route::outbox;
    return Route::other;
}

const char* route_name(Route r) {
    switch (r) {
        case Route::test_stream:
            return "/api/test/test-stream";
        case Route::test_withdrawal:
            return "/api/test/test-withdrawal";
        case Route::test_cancellation:
            return "/api/test/test-cancellation";
        case Route::health:
            return "/health";
        case Route::livez:
            return "/livez";
        case Route::readyz:
            return "/readyz";
        case Route::metrics:
            return "/metrics";
        case Route::outbox:
            return "/internal/outbox";
        case Route::other:
            return "other";
    }
    return "other";
}

namespace {
double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}
}  // namespace

Metrics::Metrics() {
    prom::add_build_info(registry_, "lifecycle");
    for (std::size_t i = 0; i < kRoutes; ++i) {
        const std::string route = route_name(static_cast<Route>(i));
        duration_[i] = &registry_.histogram("pulse_lifecycle_http_request_duration_seconds",
                                            "Time from a parsed request to its response, by route.",
                                            prom::latency_buckets(), {{"route", route}});
    }
    for (std::size_t i = 0; i < kRoutes; ++i) {
        const std::string route = route_name(static_cast<Route>(i));
        const char* classes[] = {"2xx", "4xx", "5xx"};
        for (std::size_t c = 0; c < 3; ++c)
            responses_[i][c] = &registry_.counter("pulse_lifecycle_http_responses_total",
                                                  "HTTP responses by route and status class.",
                                                  {{"route", route}, {"code", classes[c]}});
    }
    for (auto r : {Route::test_stream, Route::test_withdrawal, Route::test_cancellation,
                   Route::health, Route::readyz, Route::outbox}) {
        const auto i = static_cast<std::size_t>(r);
        database_[i] = &registry_.histogram(
            "pulse_lifecycle_db_duration_seconds",
            "Time in PostgreSQL per operation: the command's transaction (with its publish), the "
            "replay read, the health and readiness probes; waiting for a pooled connection "
            "included.",
            prom::latency_buckets(), {{"route", route_name(r)}});
    }
    prom::add_process_metrics(registry_);
}

void Metrics::expose(const StreamService& service, const bus::Publisher& publisher,
                     const outbox::ElectedPublisher& outbox, const outbox::CommandWriter& writer) {
    registry_.counter_fn("pulse_lifecycle_events_committed_total",
                         "Events committed to the outbox.", {},
                         [&service] { return static_cast<double>(service.events_committed()); });
    registry_.counter_fn("pulse_lifecycle_bus_published_total",
                         "Messages handed to the ZeroMQ PUB socket.", {},
                         [&publisher] { return static_cast<double>(publisher.published_count()); });
    registry_.counter_fn("pulse_lifecycle_bus_failed_total", "Messages the PUB socket refused.", {},
                         [&publisher] { return static_cast<double>(publisher.failed_count()); });
    registry_.counter_fn(
        "pulse_lifecycle_outbox_read_back_total",
        "Rows the elected outbox publisher read back from PostgreSQL before sending (rows of "
        "other instances, and resends after a takeover).",
        {}, [&outbox] { return static_cast<double>(outbox.read_back_count()); });
    registry_.gauge_fn(
        "pulse_lifecycle_outbox_leader",
        "Whether this instance is the elected outbox publisher (1) or a standby (0).", {},
        [&outbox] { return outbox.leader() ? 1.0 : 0.0; });
    registry_.counter_fn("pulse_lifecycle_write_batches_total",
                         "Batches the group-commit writer committed (one statement each).", {},
                         [&writer] { return static_cast<double>(writer.batches()); });
    registry_.counter_fn("pulse_lifecycle_write_commands_total",
                         "Commands applied in committed batches.", {},
                         [&writer] { return static_cast<double>(writer.commands()); });
    registry_.counter_fn("pulse_lifecycle_write_create_fallbacks_total",
                         "Batches of creates that met a taken or repeated stream id, so went "
                         "through pulse_apply_commands instead of the plain statement.",
                         {}, [&writer] { return static_cast<double>(writer.create_fallbacks()); });
    registry_.counter_fn("pulse_lifecycle_write_rejected_total",
                         "Commands refused with 503 because the writer's queue was full.", {},
                         [&writer] { return static_cast<double>(writer.rejected()); });
    registry_.gauge_fn("pulse_lifecycle_write_pending",
                       "Commands queued for the group-commit writer.", {},
                       [&writer] { return static_cast<double>(writer.pending()); });
    registry_.gauge_fn("pulse_lifecycle_bus_up", "1 while the bus publisher is healthy.", {},
                       [&publisher] { return publisher.healthy() ? 1.0 : 0.0; });
}

void Metrics::observe_request(Route route, int status, std::chrono::steady_clock::duration took) {
    const auto i = static_cast<std::size_t>(route);
    duration_[i]->observe(seconds(took));
    responses_[i][status >= 500 ? 2 : status >= 400 ? 1 : 0]->inc();
}

void Metrics::observe_database(Route route, std::chrono::steady_clock::duration took) {
    if (auto* h = database_[static_cast<std::size_t>(route)]) h->observe(seconds(took));
}

void Metrics::expose_http(const http::ServerStats& stats) {
    auto counter = [this](const char* name, const char* help,
                          const std::atomic<std::uint64_t>& value) {
        registry_.counter_fn(name, help, {},
                             [&value] { return static_cast<double>(value.load()); });
    };
    counter("pulse_lifecycle_accept_errors_total",
            "Failed accepts (EMFILE and the like); the listener pauses after each.",
            stats.accept_errors);
    counter("pulse_lifecycle_shed_connections_total",
            "Connections without a first request head closed to free descriptors when accept() "
            "ran out (PULSE_SHED_IDLE_HANDSHAKES).",
            stats.shed_connections);
    counter("pulse_lifecycle_http_header_timeouts_total",
            "Connections cut because the request head did not arrive in time.",
            stats.header_timeouts);
    counter("pulse_lifecycle_http_request_timeouts_total",
            "Connections cut because the request body did not arrive in time.",
            stats.request_timeouts);
    counter("pulse_lifecycle_http_rejected_total",
            "Requests refused before routing (400 malformed, 413 body, 431 headers).",
            stats.rejected_requests);
}

}  // namespace pulse::lifecycle
