#pragma once
// Plain HTTP request/response values shared by the listener, the router's handlers and the engine:
// no Beast types, so the layers above stay cheap to compile.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulse::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as received, e.g. "/socket.io/?EIO=4&transport=polling"
    std::string path;    // target before '?'
    std::string query;   // target after '?', without it
    HeaderList headers;  // names lower-cased
    std::string body;
    std::string remote_address;

    // Value of the first header named `name` (lower-case), or "" when absent.
    std::string_view header(std::string_view name) const {
        for (const auto& [k, v] : headers)
            if (k == name) return v;
        return {};
    }
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    HeaderList headers;  // extra headers (CORS, ...)
    bool close_connection = false;
};

inline Response json_response(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

}  // namespace pulse::http
