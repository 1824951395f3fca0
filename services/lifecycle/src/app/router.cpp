#include <pqxx/pqxx>

#include "app/router.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "app/probes.hpp"
#include "db/outbox_store.hpp"
#include "domain/client_error.hpp"
#include "domain/requests.hpp"
#include "pulse/bearer.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle {
namespace {

using http::Request;
using http::Response;

Response json_response(int status, const nlohmann::ordered_json& body) {
    return Response{status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

Response error_response(int status, const std::string& message, const std::string& field = {}) {
    nlohmann::ordered_json body;
    body["error"] = message;
    if (!field.empty()) body["field"] = field;
    return json_response(status, body);
}

// 401 with the scheme to use (RFC 6750 §3); the same answer whether the header was missing or
// wrong, so a caller learns nothing about the token.
Response unauthorized() {
    auto r = error_response(401, "unauthorized: a valid Authorization: Bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
}

bool guard_allows(const std::string& token, const Request& req) {
    return token.empty() || bearer_matches(req.authorization, token);
}

Response method_not_allowed(const char* allow) {
    auto r = error_response(405, std::string("method not allowed; use ") + allow);
    r.headers.emplace_back("Allow", allow);
    return r;
}

nlohmann::json parse_json_body(const Request& req) {
    if (!is_json_content_type(req.content_type))
        throw ClientError(415, "Content-Type must be application/json");
    try {
        return nlohmann::json::parse(req.body);
    } catch (const nlohmann::json::parse_error&) {
        throw ClientError(400, "request body is not valid JSON");
    }
}

bool parse_int(const std::string& text, std::int64_t& out) {
    if (text.empty()) return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

// Observes one database operation's time on every exit, refusals and outages included.
class DatabaseTimer {
  public:
    DatabaseTimer(Metrics& metrics, Route route)
        : metrics_(metrics), route_(route), started_(std::chrono::steady_clock::now()) {}
    ~DatabaseTimer() {
        metrics_.observe_database(route_, std::chrono::steady_clock::now() - started_);
    }
    DatabaseTimer(const DatabaseTimer&) = delete;
    DatabaseTimer& operator=(const DatabaseTimer&) = delete;

  private:
    Metrics& metrics_;
    Route route_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace

bool is_json_content_type(const std::string& value) {
    std::string media = value.substr(0, value.find(';'));
    media.erase(
        std::remove_if(media.begin(), media.end(), [](unsigned char c) { return std::isspace(c); }),
        media.end());
    std::transform(media.begin(), media.end(), media.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return media == "application/json";
}

std::string query_param(const std::string& query, const std::string& name) {
    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        std::string pair = query.substr(start, end - start);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) return eq == std::string::npos ? "" : pair.substr(eq + 1);
        start = end + 1;
    }
    return {};
}

void Router::handle(Request req, http::Respond respond) {
    const auto started = Clock::now();
    const std::string path = req.target.substr(0, req.target.find('?'));
    Response res;
    try {
        if (auto answer = cors_.preflight(req, path))
            res = std::move(*answer);
        else if (submit_command(req, path, started, respond))
            return;
        else
            res = dispatch(req);
    } catch (...) {
        res = error_for(std::current_exception(), req);
    }
    finish(req, path, started, res);
    respond(std::move(res));
}

Response Router::error_for(std::exception_ptr error, const Request& req) {
    try {
        std::rethrow_exception(error);
    } catch (const ClientError& e) {
        return error_response(e.status, e.what(), e.field);
    } catch (const Overloaded& e) {
        auto res = error_response(503, e.what());
        res.headers.emplace_back("Retry-After", "1");
        return res;
    } catch (const pqxx::broken_connection& e) {
        log::warn("database unavailable", {{"error", e.what()}});
        return error_response(503, "database unavailable");
    } catch (const pqxx::failure& e) {
        log::error("database error", {{"error", e.what()}, {"target", req.target}});
        return error_response(503, "database error");
    } catch (const std::exception& e) {
        log::error("request failed", {{"error", e.what()}, {"target", req.target}});
        return error_response(500, "internal error");
    }
}

void Router::finish(const Request& req, const std::string& path, Clock::time_point started,
                    Response& res) {
    cors_.decorate(req, path, res);
    d_.metrics.observe_request(route_of(path), res.status, Clock::now() - started);
    log::debug("request", {{"method", req.method}, {"target", req.target}, {"status", res.status}});
}

bool Router::submit_command(const Request& req, const std::string& path, Clock::time_point started,
                            const http::Respond& respond) {
    const bool is_test_path = path == "/api/test/test-stream" ||
                              path == "/api/test/test-withdrawal" ||
                              path == "/api/test/test-cancellation";
    if (!is_test_path || !d_.test_endpoints) return false;  // dispatch answers 404
    if (!guard_allows(d_.test_token, req)) return false;    // dispatch answers 401
    if (req.method != "POST") return false;                 // dispatch answers 405

    const auto body = parse_json_body(req);
    const auto route = route_of(path);
    // Request fields the answer needs (CORS looks at the Origin header), without the body.
    Request seen = req;
    seen.body.clear();
    const auto queued = Clock::now();
    // Runs on the writer thread once the batch committed (at once when the queue is full).
    auto done = [this, seen = std::move(seen), path, route, started, queued, respond](
                    std::optional<std::string> result, std::exception_ptr error) {
        d_.metrics.observe_database(route, Clock::now() - queued);
        Response res = result ? Response{200, std::move(*result)} : error_for(error, seen);
        finish(seen, path, started, res);
        respond(std::move(res));
    };
    if (path == "/api/test/test-stream")
        d_.service.create_stream(parse_create_stream(body), std::move(done));
    else if (path == "/api/test/test-withdrawal")
        d_.service.register_withdrawal(parse_withdrawal(body), std::move(done));
    else
        d_.service.cancel_stream(parse_cancellation(body), std::move(done));
    return true;
}

Response Router::dispatch(const Request& req) {
    const auto q = req.target.find('?');
    const std::string path = req.target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);

    if (path == "/health") return req.method == "GET" ? health() : method_not_allowed("GET");
    if (path == "/livez") return req.method == "GET" ? livez() : method_not_allowed("GET");
    if (path == "/readyz") return req.method == "GET" ? readyz() : method_not_allowed("GET");
    if (path == "/metrics") return req.method == "GET" ? metrics() : method_not_allowed("GET");
    if (path == "/internal/outbox") {
        if (!guard_allows(d_.replay_token, req)) return unauthorized();
        return req.method == "GET" ? replay(query) : method_not_allowed("GET");
    }

    const bool is_test_path = path == "/api/test/test-stream" ||
                              path == "/api/test/test-withdrawal" ||
                              path == "/api/test/test-cancellation";
    if (!is_test_path || !d_.test_endpoints) return error_response(404, "not found: " + path);
    if (!guard_allows(d_.test_token, req)) return unauthorized();
    return method_not_allowed("POST");
}

Response Router::health() {
    const auto db = [&] {
        DatabaseTimer timer(d_.metrics, Route::health);
        return probe_database(d_.pool, std::chrono::milliseconds(2000));
    }();
    const bool bus = d_.publisher.healthy();
    nlohmann::ordered_json body;
    body["status"] = db.reachable && bus ? "ok" : "degraded";
    body["database"] = db.reachable;
    body["bus"] = bus;
    return json_response(db.reachable && bus ? 200 : 503, body);
}

// The process answers: nothing else is checked, so an orchestrator never restarts the lifecycle
// for a database outage it cannot fix by restarting.
Response Router::livez() {
    return json_response(200, nlohmann::ordered_json{{"status", "alive"}});
}

// Ready for traffic: the database answers and carries the schema this binary expects.
Response Router::readyz() {
    const auto db = [&] {
        DatabaseTimer timer(d_.metrics, Route::readyz);
        return probe_database(d_.pool, std::chrono::milliseconds(1000));
    }();
    const bool bus = d_.publisher.healthy();
    const bool ready = db.migrated() && bus;
    nlohmann::ordered_json body;
    body["status"] = ready ? "ready" : "not ready";
    body["database"] = db.reachable;
    body["schemaVersion"] = db.schema_version;
    body["expectedSchemaVersion"] = db.expected_version;
    body["bus"] = bus;
    return json_response(ready ? 200 : 503, body);
}

Response Router::metrics() {
    return Response{200, d_.metrics.text(), "text/plain; version=0.0.4; charset=utf-8"};
}

Response Router::replay(const std::string& query) {
    std::int64_t after = 0, limit = 100;
    const std::string after_text = query_param(query, "after");
    const std::string limit_text = query_param(query, "limit");
    if (!after_text.empty() && (!parse_int(after_text, after) || after < 0))
        throw ClientError(400, "after must be an integer >= 0", "after");
    if (!limit_text.empty() && (!parse_int(limit_text, limit) || limit < 1 || limit > 1000))
        throw ClientError(400, "limit must be an integer between 1 and 1000", "limit");
    DatabaseTimer timer(d_.metrics, Route::outbox);
    auto lease = d_.pool.acquire();
    std::vector<db::OutboxRow> rows;
    std::int64_t last_seq = 0;
    try {
        // Ask for one more than the limit to tell the caller whether to page on.
        rows = db::read_after(lease.get(), after, static_cast<std::size_t>(limit) + 1);
        last_seq = db::read_last_seq(lease.get());
    } catch (const pqxx::broken_connection&) {
        lease.discard();
        throw;
    }
    const bool more = rows.size() > static_cast<std::size_t>(limit);
    if (more) rows.pop_back();
    // The events are the bus envelopes, written by the one envelope encoder.
    std::string body = "{\"epoch\":" + nlohmann::json(d_.outbox.epoch()).dump() +
                       ",\"lastSeq\":" + std::to_string(last_seq) +
                       ",\"hasMore\":" + (more ? "true" : "false") + ",\"events\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i) body.push_back(',');
        body += d_.outbox.encoded(rows[i]);
    }
    body += "]}";
    return Response{200, std::move(body)};
}

}  // namespace pulse::lifecycle
