#include "http/router.hpp"

namespace pulse::http {

void Router::mount(std::string prefix, Endpoint& endpoint) {
    endpoints_.emplace_back(std::move(prefix), &endpoint);
}

void Router::get(std::string path, Handler handler) {
    route("GET", std::move(path), std::move(handler));
}

void Router::post(std::string path, Handler handler) {
    route("POST", std::move(path), std::move(handler));
}

void Router::route(std::string method, std::string path, Handler handler) {
    routes_[std::move(path)][std::move(method)] = std::move(handler);
}

Endpoint* Router::endpoint_for(std::string_view path) const {
    // An exact route wins over a mount on its prefix: /socket.io/socket.io.js is a file, as with
    // the reference server's serveClient, not an Engine.IO request.
    if (routes_.find(path) != routes_.end()) return nullptr;
    for (const auto& [prefix, endpoint] : endpoints_)
        if (path.substr(0, prefix.size()) == prefix) return endpoint;
    return nullptr;
}

Response Router::handle(const Request& request) const {
    auto it = routes_.find(request.path);
    if (it == routes_.end()) return json_response(404, R"({"error":"Not Found"})");
    auto m = it->second.find(request.method);
    if (m == it->second.end() && request.method == "HEAD") m = it->second.find("GET");
    if (m == it->second.end()) {
        Response r = json_response(405, R"({"error":"Method Not Allowed"})");
        std::string allow;
        for (const auto& [method, h] : it->second) allow += (allow.empty() ? "" : ", ") + method;
        r.headers.emplace_back("Allow", allow);
        return r;
    }
    try {
        return m->second(request);
    } catch (const std::exception&) {
        return json_response(500, R"({"error":"Internal Server Error"})");
    }
}

}  // namespace pulse::http
