#include "app/cors.hpp"

#include <algorithm>
#include <cctype>

namespace pulse::lifecycle {
namespace {

// What a page may send besides the CORS-safelisted headers: the JSON body's type, and a bearer
// token for deployments that guard the test endpoints.
constexpr std::string_view kAllowedHeaders[] = {"content-type", "authorization"};
constexpr const char* kAllowedMethods = "POST, OPTIONS";
// Browsers cache a preflight at most this long (Chromium caps it at 7200 s).
constexpr const char* kMaxAgeSeconds = "600";

std::string lower_trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The requested headers we allow, in our spelling; false when one of them is not allowed.
bool allowed_request_headers(std::string_view requested, std::string& out) {
    std::size_t start = 0;
    while (start <= requested.size()) {
        auto comma = requested.find(',', start);
        if (comma == std::string_view::npos) comma = requested.size();
        const std::string name = lower_trimmed(requested.substr(start, comma - start));
        start = comma + 1;
        if (name.empty()) continue;
        if (std::find(std::begin(kAllowedHeaders), std::end(kAllowedHeaders), name) ==
            std::end(kAllowedHeaders))
            return false;
        if (!out.empty()) out += ", ";
        out += name;
    }
    return true;
}

http::Response refused(const std::string& why) {
    return http::Response{403, R"({"error":")" + why + R"("})"};
}

}  // namespace

Cors::Cors(std::vector<std::string> allowed_origins) : allowed_(std::move(allowed_origins)) {}

bool Cors::allows(std::string_view origin) const {
    return allowed_.contains(origin);  // no Origin header: not a cross-origin browser request
}

bool Cors::applies_to(std::string_view path) {
    return path.rfind("/api/", 0) == 0;
}

std::optional<http::Response> Cors::preflight(const http::Request& request,
                                              std::string_view path) const {
    if (request.method != "OPTIONS" || !applies_to(path)) return std::nullopt;
    if (request.origin.empty() || request.cors_request_method.empty()) {
        http::Response r{204, "", ""};
        r.headers.emplace_back("Allow", kAllowedMethods);
        return r;
    }
    if (!allows(request.origin)) return refused("origin not allowed");
    if (request.cors_request_method != "POST") return refused("method not allowed");
    std::string headers;
    if (!allowed_request_headers(request.cors_request_headers, headers))
        return refused("request header not allowed");
    http::Response r{204, "", ""};
    r.headers.emplace_back("Access-Control-Allow-Origin", request.origin);
    r.headers.emplace_back("Access-Control-Allow-Methods", kAllowedMethods);
    if (!headers.empty()) r.headers.emplace_back("Access-Control-Allow-Headers", headers);
    r.headers.emplace_back("Access-Control-Max-Age", kMaxAgeSeconds);
    r.headers.emplace_back("Vary",
                           "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    return r;
}

void Cors::decorate(const http::Request& request, std::string_view path,
                    http::Response& response) const {
    if (!applies_to(path)) return;
    // The answer depends on Origin even when it carries no CORS header: caches must know.
    response.headers.emplace_back("Vary", "Origin");
    if (!allows(request.origin)) return;
    response.headers.emplace_back("Access-Control-Allow-Origin", request.origin);
}

}  // namespace pulse::lifecycle
