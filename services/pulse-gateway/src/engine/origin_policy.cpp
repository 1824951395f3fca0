#include "engine/origin_policy.hpp"

namespace pulse::engine {

OriginPolicy::OriginPolicy(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {}

bool OriginPolicy::allows(std::string_view origin) const {
    // No Origin header: not a browser (a server-side client); the check is for browsers.
    return origin.empty() || allowed_.contains(origin);
}

void OriginPolicy::add_cors_headers(std::string_view origin, HeaderList& headers) const {
    if (origin.empty() || !allows(origin)) return;
    headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    headers.emplace_back("Access-Control-Allow-Credentials", "true");
    headers.emplace_back("Vary", "Origin");
}

void OriginPolicy::add_preflight_headers(std::string_view origin,
                                         std::string_view requested_headers,
                                         HeaderList& headers) const {
    add_cors_headers(origin, headers);
    if (origin.empty() || !allows(origin)) return;
    headers.emplace_back("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
    if (!requested_headers.empty())
        headers.emplace_back("Access-Control-Allow-Headers", std::string(requested_headers));
}

}  // namespace pulse::engine
