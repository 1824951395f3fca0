#pragma once
// An Engine.IO v4 server mounted at one path (e.g. "/socket.io/"): handshake, long-polling,
// WebSocket, polling->WebSocket upgrade, heartbeat, CORS/origin checks, error codes.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/socket.hpp"

namespace pulse::http {
class IoShards;
}

namespace pulse::engine {

struct ServerOptions {
    std::chrono::milliseconds ping_interval{25000};
    std::chrono::milliseconds ping_timeout{20000};
    std::chrono::milliseconds upgrade_timeout{10000};
    std::size_t max_payload = 1'000'000;       // handshake maxPayload; POST/frame limit
    std::size_t max_buffered_bytes = 1 << 20;  // per-session send queue cap (bytes)
    // Allowed browser origins; "*" allows any. A request without Origin is always allowed.
    std::vector<std::string> allowed_origins{"http://localhost:5173"};
};

class Server {
  public:
    // on_connection runs on the new session's shard thread, once per successful handshake.
    using ConnectionHandler = std::function<void(std::shared_ptr<Socket>)>;

    Server(http::IoShards& shards, ServerOptions options, ConnectionHandler on_connection);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const ServerOptions& options() const;
    // Number of open sessions across all shards.
    std::size_t session_count() const;
    // Closes every session with server_shutdown (close packet / close frame sent), thread-safe.
    void shutdown();

    struct Impl;
    Impl& impl() { return *impl_; }  // for the HTTP listener in http/

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::engine
