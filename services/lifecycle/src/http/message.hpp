#pragma once
// Plain request/response values: what the HTTP layer hands to the router and gets back. Keeping
// Beast types out of here keeps Beast/Asio in one translation unit (http_server.cpp).
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pulse::lifecycle::http {

struct Request {
    std::string method;        // "GET", "POST", ...
    std::string target;        // path + optional "?query"
    std::string content_type;  // header value, empty when absent
    // CORS request headers (empty when absent): Origin, Access-Control-Request-Method/-Headers.
    std::string origin;
    std::string cors_request_method;
    std::string cors_request_headers;
    std::string authorization;  // header value, empty when absent
    std::string body;
};

struct Response {
    Response() = default;
    Response(int status_code, std::string body_text, std::string type = "application/json")
        : status(status_code), body(std::move(body_text)), content_type(std::move(type)) {}

    int status = 200;
    std::string body;
    std::string content_type = "application/json";             // not sent when empty
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
};

// Hands the response back to the connection that read the request. Call it exactly once, from
// any thread: a handler may answer later (e.g. once its batch committed).
using Respond = std::function<void(Response)>;

}  // namespace pulse::lifecycle::http
