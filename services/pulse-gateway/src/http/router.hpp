#pragma once
// Maps request paths to plain handlers or to a mounted Endpoint (the Engine.IO server). Configure
// it fully before Listener::start(); afterwards it is only read (from every shard thread), so it
// needs no lock.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace pulse::http {

class Endpoint;

// Runs on the connection's shard thread; must not block.
using Handler = std::function<Response(const Request&)>;

class Router {
  public:
    // Every path starting with `prefix` (e.g. "/socket.io/") goes to `endpoint`, like the
    // reference Engine.IO server's `path` option.
    void mount(std::string prefix, Endpoint& endpoint);
    void get(std::string path, Handler handler);
    void post(std::string path, Handler handler);
    void route(std::string method, std::string path, Handler handler);

    // Lookup results. A path with an exact route has no endpoint, even under a mounted prefix.
    Endpoint* endpoint_for(std::string_view path) const;
    // Runs the handler for (method, path): 404 JSON for an unknown path, 405 for a known path
    // with another method.
    Response handle(const Request& request) const;

  private:
    std::vector<std::pair<std::string, Endpoint*>> endpoints_;
    std::map<std::string, std::map<std::string, Handler>, std::less<>> routes_;  // path -> method
};

}  // namespace pulse::http
