#pragma once
// A blocking HTTP/1.1 client for tests (one request per connection).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace pulse::test {

struct HttpReply {
    int status = 0;
    std::string body;
    std::string content_type;
    std::string allow;
    std::string www_authenticate;
    std::string retry_after;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = {},
                       const std::string& content_type = "application/json",
                       const std::string& authorization = {});

inline HttpReply post_json(std::uint16_t port, const std::string& target,
                           const nlohmann::json& body) {
    return http_request(port, "POST", target, body.dump());
}

}  // namespace pulse::test
