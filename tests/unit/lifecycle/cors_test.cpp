#include <catch2/catch.hpp>

#include <string>

#include "app/cors.hpp"

using namespace pulse::lifecycle;

namespace {

http::Request options_request(std::string origin, std::string method, std::string headers = {}) {
    http::Request r;
    r.method = "OPTIONS";
    r.target = "/api/test/test-stream";
    r.origin = std::move(origin);
    r.cors_request_method = std::move(method);
    r.cors_request_headers = std::move(headers);
    return r;
}

std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return "<absent>";
}

bool has_cors_header(const http::Response& r) {
    for (const auto& [n, v] : r.headers)
        if (n.rfind("Access-Control-", 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("CORS preflight of an allowed origin", "[cors]") {
    Cors cors({"http://localhost:5173/", "https://app.example.com"});
    auto r = cors.preflight(options_request("http://localhost:5173", "POST", "Content-Type"),
                            "/api/test/test-stream");
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK(r->body.empty());
    CHECK(header(*r, "Access-Control-Allow-Origin") == "http://localhost:5173");
    CHECK(header(*r, "Access-Control-Allow-Methods") == "POST, OPTIONS");
    CHECK(header(*r, "Access-Control-Allow-Headers") == "content-type");
    CHECK(header(*r, "Access-Control-Max-Age") == "600");
    CHECK(header(*r, "Access-Control-Allow-Credentials") == "<absent>");

    auto both = cors.preflight(
        options_request("https://app.example.com", "POST", " content-type , Authorization"),
        "/api/test/test-withdrawal");
    REQUIRE(both);
    CHECK(both->status == 204);
    CHECK(header(*both, "Access-Control-Allow-Headers") == "content-type, authorization");
}

TEST_CASE("CORS preflight refusals carry no CORS header", "[cors]") {
    Cors cors({"http://localhost:5173"});
    const char* path = "/api/test/test-stream";
    for (const auto& req : {options_request("http://evil.example", "POST", "content-type"),
                            options_request("http://localhost:5173.evil.example", "POST"),
                            options_request("http://localhost:5174", "POST"),
                            options_request("http://localhost:5173", "DELETE"),
                            options_request("http://localhost:5173", "POST", "x-secret")}) {
        auto r = cors.preflight(req, path);
        REQUIRE(r);
        CHECK(r->status == 403);
        CHECK(r->body.find("\"error\"") != std::string::npos);
        CHECK_FALSE(has_cors_header(*r));
    }
}

TEST_CASE("OPTIONS that is not a preflight, and other paths", "[cors]") {
    Cors cors({"*"});
    auto plain = cors.preflight(options_request("", ""), "/api/test/test-stream");
    REQUIRE(plain);
    CHECK(plain->status == 204);
    CHECK(header(*plain, "Allow") == "POST, OPTIONS");
    CHECK_FALSE(has_cors_header(*plain));
    // Outside /api/ the router answers as before (405 with Allow).
    CHECK_FALSE(cors.preflight(options_request("http://a.example", "GET"), "/health"));
    http::Request get;
    get.method = "GET";
    CHECK_FALSE(cors.preflight(get, "/api/test/test-stream"));
}

TEST_CASE("CORS headers on API answers", "[cors]") {
    Cors cors({"http://localhost:5173"});
    http::Request req;
    req.method = "POST";
    req.origin = "http://localhost:5173";
    http::Response ok{200, "{}"};
    cors.decorate(req, "/api/test/test-stream", ok);
    CHECK(header(ok, "Access-Control-Allow-Origin") == "http://localhost:5173");
    CHECK(header(ok, "Vary") == "Origin");

    req.origin = "http://evil.example";
    http::Response refused{200, "{}"};
    cors.decorate(req, "/api/test/test-stream", refused);
    CHECK_FALSE(has_cors_header(refused));
    CHECK(header(refused, "Vary") == "Origin");

    req.origin = "http://localhost:5173";
    http::Response internal{200, "{}"};
    cors.decorate(req, "/internal/outbox", internal);
    CHECK(internal.headers.empty());

    Cors any({"*"});
    http::Response wildcard{400, "{}"};
    req.origin = "http://anything.example";
    any.decorate(req, "/api/test/test-withdrawal", wildcard);
    CHECK(header(wildcard, "Access-Control-Allow-Origin") == "http://anything.example");
    CHECK_FALSE(any.allows(""));
}
