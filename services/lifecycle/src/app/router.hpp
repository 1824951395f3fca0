#pragma once
// Routing of the lifecycle's HTTP API: paths, methods (405 + Allow), content types (415), JSON
// bodies (400), ClientError -> {"error","field"}, database outages -> 503.
//   POST /api/test/test-stream | test-withdrawal | test-cancellation   (404 when disabled)
//   GET  /health    {"status":"ok"|"degraded","database":bool,"bus":bool}, 503 when degraded
//   GET  /metrics   Prometheus text
//   GET  /internal/outbox?after=SEQ&limit=N   replay for gateways (proto/README.md)
#include "app/metrics.hpp"
#include "bus/publisher.hpp"
#include "db/pool.hpp"
#include "domain/stream_service.hpp"
#include "http/message.hpp"
#include "outbox/event_sink.hpp"
#include "outbox/relay.hpp"

namespace pulse::lifecycle {

struct RouterDeps {
    StreamService& service;
    db::ConnectionPool& pool;
    bus::Publisher& publisher;
    outbox::EventSink& sink;
    outbox::OutboxRelay& relay;
    Metrics& metrics;
    bool test_endpoints = true;
};

class Router {
  public:
    explicit Router(RouterDeps deps) : d_(deps) {}
    http::Response handle(const http::Request& request);

  private:
    http::Response dispatch(const http::Request& request);
    http::Response health();
    http::Response metrics();
    http::Response replay(const std::string& query);

    RouterDeps d_;
};

// Helpers exposed for unit tests.
bool is_json_content_type(const std::string& header_value);
std::string query_param(const std::string& query, const std::string& name);

}  // namespace pulse::lifecycle
