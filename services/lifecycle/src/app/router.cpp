#include <pqxx/pqxx>

#include "app/router.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "db/outbox_store.hpp"
#include "domain/client_error.hpp"
#include "domain/requests.hpp"
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

Response Router::handle(const Request& req) {
    Response res;
    try {
        res = dispatch(req);
    } catch (const ClientError& e) {
        res = error_response(e.status, e.what(), e.field);
    } catch (const pqxx::broken_connection& e) {
        log::warn("database unavailable", {{"error", e.what()}});
        res = error_response(503, "database unavailable");
    } catch (const pqxx::failure& e) {
        log::error("database error", {{"error", e.what()}, {"target", req.target}});
        res = error_response(503, "database error");
    } catch (const std::exception& e) {
        log::error("request failed", {{"error", e.what()}, {"target", req.target}});
        res = error_response(500, "internal error");
    }
    d_.metrics.count_response(res.status);
    if (res.status == 404) ++d_.metrics.client_errors_by_status_404;
    if (res.status == 409) ++d_.metrics.client_errors_by_status_409;
    log::debug("request", {{"method", req.method}, {"target", req.target}, {"status", res.status}});
    return res;
}

Response Router::dispatch(const Request& req) {
    const auto q = req.target.find('?');
    const std::string path = req.target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);

    if (path == "/health") return req.method == "GET" ? health() : method_not_allowed("GET");
    if (path == "/metrics") return req.method == "GET" ? metrics() : method_not_allowed("GET");
    if (path == "/internal/outbox")
        return req.method == "GET" ? replay(query) : method_not_allowed("GET");

    const bool is_test_path = path == "/api/test/test-stream" ||
                              path == "/api/test/test-withdrawal" ||
                              path == "/api/test/test-cancellation";
    if (!is_test_path || !d_.test_endpoints) return error_response(404, "not found: " + path);
    if (req.method != "POST") return method_not_allowed("POST");

    const auto body = parse_json_body(req);
    if (path == "/api/test/test-stream")
        return json_response(200, d_.service.create_stream(parse_create_stream(body)));
    if (path == "/api/test/test-withdrawal")
        return json_response(200, d_.service.register_withdrawal(parse_withdrawal(body)));
    return json_response(200, d_.service.cancel_stream(parse_cancellation(body)));
}

Response Router::health() {
    bool database = false;
    try {
        auto lease = d_.pool.acquire(std::chrono::milliseconds(2000));
        try {
            pqxx::nontransaction tx(lease.get());
            tx.exec("SELECT 1");
            database = true;
        } catch (const pqxx::broken_connection&) {
            lease.discard();
        }
    } catch (const std::exception&) {
        database = false;
    }
    const bool bus = d_.publisher.healthy();
    nlohmann::ordered_json body;
    body["status"] = database && bus ? "ok" : "degraded";
    body["database"] = database;
    body["bus"] = bus;
    return json_response(database && bus ? 200 : 503, body);
}

Response Router::metrics() {
    std::string out;
    auto counter = [&](const char* name, const char* help, const std::string& labels,
                       std::uint64_t v) {
        if (!help[0]) {
            out += std::string(name) + labels + " " + std::to_string(v) + "\n";
            return;
        }
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
        out += std::string(name) + labels + " " + std::to_string(v) + "\n";
    };
    counter("pulse_lifecycle_http_responses_total", "HTTP responses by status class",
            "{class=\"2xx\"}", d_.metrics.requests_by_class[0].load());
    counter("pulse_lifecycle_http_responses_total", "", "{class=\"4xx\"}",
            d_.metrics.requests_by_class[1].load());
    counter("pulse_lifecycle_http_responses_total", "", "{class=\"5xx\"}",
            d_.metrics.requests_by_class[2].load());
    counter("pulse_lifecycle_events_committed_total", "Events committed to the outbox", "",
            d_.service.events_committed());
    counter("pulse_lifecycle_bus_published_total", "Messages handed to the ZeroMQ PUB socket", "",
            d_.publisher.published_count());
    counter("pulse_lifecycle_bus_failed_total", "Messages the PUB socket refused", "",
            d_.publisher.failed_count());
    counter("pulse_lifecycle_outbox_republished_total", "Rows republished by the outbox relay", "",
            d_.relay.republished_count());
    return Response{200, out, "text/plain; version=0.0.4"};
}

Response Router::replay(const std::string& query) {
    std::int64_t after = 0, limit = 100;
    const std::string after_text = query_param(query, "after");
    const std::string limit_text = query_param(query, "limit");
    if (!after_text.empty() && (!parse_int(after_text, after) || after < 0))
        throw ClientError(400, "after must be an integer >= 0", "after");
    if (!limit_text.empty() && (!parse_int(limit_text, limit) || limit < 1 || limit > 1000))
        throw ClientError(400, "limit must be an integer between 1 and 1000", "limit");
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
    nlohmann::ordered_json body;
    body["epoch"] = d_.sink.epoch();
    body["lastSeq"] = last_seq;
    body["hasMore"] = more;
    body["events"] = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
        auto e = d_.sink.to_envelope(row);
        nlohmann::ordered_json item;
        item["v"] = e.v;
        item["epoch"] = e.epoch;
        item["seq"] = e.seq;
        item["event"] = e.event;
        item["rooms"] = e.rooms;
        item["data"] = e.data;
        body["events"].push_back(std::move(item));
    }
    return json_response(200, body);
}

}  // namespace pulse::lifecycle
