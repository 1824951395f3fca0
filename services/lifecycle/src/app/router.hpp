#pragma once
// Routing of the lifecycle's HTTP API: paths, methods (405 + Allow), content types (415), JSON
// bodies (400), ClientError -> {"error","field"}, database outages -> 503.
//   POST /api/test/test-stream | test-withdrawal | test-cancellation   (404 when disabled,
//        401 without the PULSE_TEST_TOKEN bearer when one is set; 503 + Retry-After when the
//        group-commit writer's queue is full)
//   GET  /health    {"status":"ok"|"degraded","database":bool,"bus":bool}, 503 when degraded
//   GET  /livez     200 while the process serves HTTP (never looks at the database)
//   GET  /readyz    200 when the database answers and is migrated and the bus is bound, else 503
//   GET  /metrics   Prometheus text
//   GET  /internal/outbox?after=SEQ&limit=N   replay for gateways (proto/README.md); 401
//        without the PULSE_REPLAY_TOKEN bearer when one is set
//   OPTIONS /api/*  CORS preflight for FRONTEND_URL origins (app/cors.hpp)
#include <chrono>
#include <exception>

#include "app/cors.hpp"
#include "app/metrics.hpp"
#include "bus/publisher.hpp"
#include "db/pool.hpp"
#include "domain/stream_service.hpp"
#include "http/message.hpp"
#include "outbox/command_writer.hpp"
#include "outbox/elected_publisher.hpp"

namespace pulse::lifecycle {

struct RouterDeps {
    StreamService& service;
    db::ConnectionPool& pool;
    bus::Publisher& publisher;
    outbox::ElectedPublisher& outbox;
    outbox::CommandWriter& writer;
    Metrics& metrics;
    bool test_endpoints = false;
    std::vector<std::string> allowed_origins;  // FRONTEND_URL (CORS for /api/*)
    std::string test_token;                    // empty: /api/test/* unguarded (when enabled)
    std::string replay_token;                  // empty: /internal/outbox unguarded
};

class Router {
  public:
    explicit Router(RouterDeps deps) : d_(deps), cors_(d_.allowed_origins) {}
    // Answers through `respond`: at once, or for a command once its batch committed (then on
    // the writer's thread).
    void handle(http::Request request, http::Respond respond);

  private:
    using Clock = std::chrono::steady_clock;
    // A command route: validates the request and queues the command; false for other routes.
    bool submit_command(const http::Request& request, const std::string& path,
                        Clock::time_point started, const http::Respond& respond);
    http::Response dispatch(const http::Request& request);
    http::Response error_for(std::exception_ptr error, const http::Request& request);
    void finish(const http::Request& request, const std::string& path, Clock::time_point started,
                http::Response& response);
    http::Response health();
    http::Response livez();
    http::Response readyz();
    http::Response metrics();
    http::Response replay(const std::string& query);

    RouterDeps d_;
    Cors cors_;
};

// Helpers exposed for unit tests.
bool is_json_content_type(const std::string& header_value);
std::string query_param(const std::string& query, const std::string& name);

}  // namespace pulse::lifecycle
