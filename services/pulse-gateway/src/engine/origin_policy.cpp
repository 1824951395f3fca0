#include "engine/origin_policy.hpp"

#include <algorithm>

namespace pulse::engine {

OriginPolicy::OriginPolicy(std::vector<std::string> allowed) {
    for (auto& entry : allowed) {
        if (entry == "*") any_ = true;
        while (entry.size() > 1 && entry.back() == '/') entry.pop_back();
        if (!entry.empty()) allowed_.push_back(std::move(entry));
    }
}

bool OriginPolicy::allows(std::string_view origin) const {
    if (origin.empty() || any_) return true;
    return std::find(allowed_.begin(), allowed_.end(), origin) != allowed_.end();
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
