#include "app/lifecycle_app.hpp"

#include <pqxx/connection>
#include <pqxx/except>

#include "app/metrics.hpp"
#include "app/router.hpp"
#include "bus/publisher.hpp"
#include "db/database_url.hpp"
#include "db/migrations.hpp"
#include "db/outbox_store.hpp"
#include "db/pool.hpp"
#include "db/stream_store.hpp"
#include "domain/stream_service.hpp"
#include "http/http_server.hpp"
#include "outbox/event_sink.hpp"
#include "outbox/published_marker.hpp"
#include "outbox/relay.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle {
namespace {
// libpq messages span lines; a start-up error must stay on one.
std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    for (auto& c : text)
        if (c == '\n' || c == '\t') c = ' ';
    return text;
}
}  // namespace

struct LifecycleApp::Parts {
    db::DatabaseTarget target;
    std::unique_ptr<db::ConnectionPool> pool;
    std::unique_ptr<bus::Publisher> publisher;
    std::unique_ptr<outbox::EventSink> sink;
    std::unique_ptr<outbox::OutboxRelay> relay;
    std::unique_ptr<outbox::PublishedMarker> marker;
    std::unique_ptr<StreamService> service;
    Metrics metrics;
    std::unique_ptr<Router> router;
    std::unique_ptr<http::HttpServer> server;
    bool stopped = false;
};

LifecycleApp::LifecycleApp(Config config)
    : config_(std::move(config)), parts_(std::make_unique<Parts>()) {
    auto& p = *parts_;
    try {
        p.target = db::parse_database_url(config_.database_url);
    } catch (const db::BadDatabaseUrl& e) {
        throw StartupError("bad DATABASE_URL: " + one_line(e.what()));
    }

    std::string epoch;
    try {
        pqxx::connection conn(p.target.conninfo);
        auto report = db::migrate(conn);
        epoch = db::read_epoch(conn);
        log::info("database ready", {{"database", p.target.where},
                                     {"schema_version", report.current},
                                     {"migrations_applied", report.applied},
                                     {"epoch", epoch}});
    } catch (const pqxx::broken_connection& e) {
        throw StartupError("cannot reach PostgreSQL at " + p.target.where + ": " +
                           one_line(e.what()));
    } catch (const std::exception& e) {
        throw StartupError("cannot prepare the database at " + p.target.where + ": " +
                           one_line(e.what()));
    }
    p.pool = std::make_unique<db::ConnectionPool>(p.target.conninfo, config_.db_pool_size,
                                                  [](pqxx::connection& conn) {
                                                      db::prepare_stream_statements(conn);
                                                      db::prepare_outbox_statements(conn);
                                                  });

    try {
        p.publisher = std::make_unique<bus::Publisher>(config_.bus_bind);
    } catch (const bus::BusBindError& e) {
        throw StartupError(e.what());
    }
    log::info("bus bound", {{"endpoint", p.publisher->endpoint()}});

    p.sink = std::make_unique<outbox::EventSink>(*p.publisher, epoch);
    p.relay = std::make_unique<outbox::OutboxRelay>(*p.pool, *p.sink, config_.relay_interval,
                                                    config_.relay_grace);
    // 25 ms: at 2,000 ev/s about 50 rows per UPDATE (40 a second instead of 200 at 5 ms); far
    // below the relay's grace, so the relay never resends a row only because its mark lagged.
    p.marker =
        std::make_unique<outbox::PublishedMarker>(p.target.conninfo, std::chrono::milliseconds(25));
    p.service = std::make_unique<StreamService>(*p.pool, *p.sink, *p.marker);
    p.router = std::make_unique<Router>(RouterDeps{*p.service, *p.pool, *p.publisher, *p.sink,
                                                   *p.relay, p.metrics, config_.test_endpoints});

    http::ServerOptions options;
    options.host = config_.host;
    options.port = config_.port;
    // Each I/O thread handles its requests itself (one pooled connection at a time); the pool
    // should keep one more for the relay.
    options.io_threads = config_.io_threads;
    options.body_limit = config_.body_limit;
    options.timeout = config_.http_timeout;
    try {
        p.server = std::make_unique<http::HttpServer>(
            options,
            [router = p.router.get()](const http::Request& r) { return router->handle(r); });
    } catch (const http::ListenError& e) {
        throw StartupError(e.what());
    }
    p.marker->start();
    p.relay->start();
    p.server->start();
    log::info("listening", {{"host", config_.host},
                            {"port", p.server->port()},
                            {"bus", p.publisher->endpoint()},
                            {"test_endpoints", config_.test_endpoints}});
}

LifecycleApp::~LifecycleApp() {
    stop();
}

std::uint16_t LifecycleApp::http_port() const {
    return parts_->server->port();
}
const std::string& LifecycleApp::bus_endpoint() const {
    return parts_->publisher->endpoint();
}

void LifecycleApp::stop() {
    auto& p = *parts_;
    if (p.stopped) return;
    p.stopped = true;
    if (p.server) p.server->stop(config_.shutdown_drain);
    if (p.relay) p.relay->stop();
    // After the server: every answered request has queued its seq.
    if (p.marker) p.marker->stop();
    if (p.publisher) p.publisher->close();
}

}  // namespace pulse::lifecycle
