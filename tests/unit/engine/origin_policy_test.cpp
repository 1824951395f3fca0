#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/origin_policy.hpp"

using namespace pulse::engine;

namespace {
std::string header(const HeaderList& h, std::string_view name) {
    auto it = std::find_if(h.begin(), h.end(), [&](auto& p) { return p.first == name; });
    return it == h.end() ? std::string("<none>") : it->second;
}
}  // namespace

TEST_CASE("allowlist matches exact origins", "[engine][cors]") {
    OriginPolicy policy({"http://localhost:5173", "https://app.example/"});
    CHECK(policy.allows(""));
    CHECK(policy.allows("http://localhost:5173"));
    CHECK(policy.allows("https://app.example"));
    CHECK_FALSE(policy.allows("http://localhost:5174"));
    CHECK_FALSE(policy.allows("http://evil.example"));
    CHECK_FALSE(policy.allows("http://localhost:5173.evil.example"));
}

TEST_CASE("star allows any origin and reflects it", "[engine][cors]") {
    OriginPolicy policy({"*"});
    CHECK(policy.allows("http://anything.example"));
    HeaderList h;
    policy.add_cors_headers("http://anything.example", h);
    CHECK(header(h, "Access-Control-Allow-Origin") == "http://anything.example");
    CHECK(header(h, "Access-Control-Allow-Credentials") == "true");
}

TEST_CASE("cors headers only for allowed origins", "[engine][cors]") {
    OriginPolicy policy({"http://localhost:5173"});
    HeaderList none;
    policy.add_cors_headers("", none);
    policy.add_cors_headers("http://evil.example", none);
    CHECK(none.empty());
    HeaderList pre;
    policy.add_preflight_headers("http://localhost:5173", "content-type", pre);
    CHECK(header(pre, "Access-Control-Allow-Origin") == "http://localhost:5173");
    CHECK(header(pre, "Access-Control-Allow-Headers") == "content-type");
    CHECK(header(pre, "Access-Control-Allow-Methods").find("POST") != std::string::npos);
}
