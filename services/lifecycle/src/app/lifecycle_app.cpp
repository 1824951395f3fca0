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
#include "domain/stream_service.hpp"
#include "http/http_server.hpp"
#include "outbox/command_writer.hpp"
#include "outbox/elected_publisher.hpp"
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
    std::unique_ptr<outbox::ElectedPublisher> outbox;
    std::unique_ptr<outbox::CommandWriter> writer;
    std::unique_ptr<StreamService> service;
    Metrics metrics;
    http::ServerStats http_stats;
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
                                                  [](pqxx::connection&) {});

    try {
        p.publisher = std::make_unique<bus::Publisher>(config_.bus_bind, config_.bus_hwm,
                                                       static_cast<int>(config_.bus_sndbuf));
    } catch (const bus::BusBindError& e) {
        throw StartupError(e.what());
    }
    log::info("bus bound", {{"endpoint", p.publisher->endpoint()}});

    outbox::PublisherOptions publishing;
    publishing.poll = config_.relay_interval;
    publishing.takeover_delay = config_.relay_interval;
    p.outbox = std::make_unique<outbox::ElectedPublisher>(p.target.conninfo, *p.publisher, epoch,
                                                          publishing);
    outbox::WriterOptions writing;
    writing.max_pending = config_.max_pending;
    writing.max_batch = config_.max_batch;
    p.writer = std::make_unique<outbox::CommandWriter>(p.target.conninfo, *p.outbox, writing);
    p.service = std::make_unique<StreamService>(*p.writer);
    p.metrics.expose(*p.service, *p.publisher, *p.outbox, *p.writer);
    p.metrics.expose_http(p.http_stats);
    p.router = std::make_unique<Router>(RouterDeps{
        *p.service, *p.pool, *p.publisher, *p.outbox, *p.writer, p.metrics, config_.test_endpoints,
        config_.allowed_origins, config_.test_token, config_.replay_token});

    http::ServerOptions options;
    options.host = config_.host;
    options.port = config_.port;
    options.io_threads = config_.io_threads;
    options.body_limit = config_.body_limit;
    options.header_limit = config_.header_limit;
    options.header_timeout = config_.header_timeout;
    options.timeout = config_.http_timeout;
    options.shed_idle_handshakes = config_.shed_idle_handshakes;
    options.stats = &p.http_stats;
    try {
        p.server = std::make_unique<http::HttpServer>(
            options, [router = p.router.get()](http::Request r, http::Respond respond) {
                router->handle(std::move(r), std::move(respond));
            });
    } catch (const http::ListenError& e) {
        throw StartupError(e.what());
    }
    p.outbox->start();
    p.writer->start();
    p.server->start();
    log::info("listening", {{"host", config_.host},
                            {"port", p.server->port()},
                            {"bus", p.publisher->endpoint()},
                            {"test_endpoints", config_.test_endpoints},
                            {"test_token", !config_.test_token.empty()},
                            {"replay_token", !config_.replay_token.empty()}});
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
    // After the server: the writer applies what is still queued, the publisher sends it.
    if (p.writer) p.writer->stop();
    if (p.outbox) p.outbox->stop();
    if (p.publisher) p.publisher->close();
}

}  // namespace pulse::lifecycle
