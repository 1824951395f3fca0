#pragma once
// An Engine.IO v4 server mounted at one path (e.g. "/socket.io/"): handshake, long-polling,
// WebSocket, polling->WebSocket upgrade, heartbeat, CORS/origin checks, error codes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/socket.hpp"
#include "http/endpoint.hpp"

namespace pulse::net {
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
    // Open sessions one client address (http::Request::remote_address) may hold; a handshake
    // past it is refused with 429 {"code":4,"message":"Too many connections"}. 0: no limit.
    std::size_t max_connections_per_address = 0;
};

inline constexpr std::size_t kCloseReasons = 6;  // CloseReason's values, for per-reason counts

// What the server has done since it started, summed over the shards when read (each shard
// counts its own, so the delivery path never shares a cache line with another shard).
struct ServerStats {
    std::uint64_t sessions_opened = 0;
    std::uint64_t origin_refusals = 0;         // requests and upgrades refused for their Origin
    std::uint64_t address_refusals = 0;        // handshakes past max_connections_per_address
    std::uint64_t closes[kCloseReasons] = {};  // sessions ended, by CloseReason
    std::uint64_t bytes_queued = 0;            // Engine.IO packet bytes queued to clients
    std::uint64_t polling_sessions = 0;        // open, on long-polling now
    std::uint64_t websocket_sessions = 0;      // open, on WebSocket now (direct or upgraded)
};

// Mounted on an http::Router, the listener reaches it only through http::Endpoint.
class Server final : public http::Endpoint {
  public:
    // on_connection runs on the new session's shard thread, once per successful handshake.
    using ConnectionHandler = std::function<void(std::shared_ptr<Socket>)>;

    Server(net::IoShards& shards, ServerOptions options, ConnectionHandler on_connection);
    ~Server() override;
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const ServerOptions& options() const;
    // Number of open sessions across all shards.
    std::size_t session_count() const;
    // Thread-safe; counters are monotonic, the two session gauges may lag by a tick.
    ServerStats stats() const;
    // Closes every session with server_shutdown (close packet / close frame sent), thread-safe.
    void shutdown();
    // The graceful drain: new handshakes are refused (503) from now on, and the open sessions
    // are closed like shutdown() but spread evenly over `over`, thread-safe.
    void drain(std::chrono::milliseconds over);
    bool draining() const;

    // http::Endpoint
    std::size_t body_limit() const override;
    void handle_request(std::size_t conn_shard, http::Request request,
                        std::shared_ptr<http::Reply> reply) override;
    void handle_oversized(std::size_t conn_shard, http::Request request,
                          std::shared_ptr<http::Reply> reply) override;
    void handle_upgrade(std::size_t conn_shard, http::Request request,
                        net::ShardSocket socket) override;
    void request_aborted(std::string_view query, const http::Reply* reply) override;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

// The graceful end of a process: shutdown() on every server, then up to `timeout` for their
// sessions to end so that the close packets and frames are written before the shards stop.
void shutdown_and_wait(std::initializer_list<Server*> servers,
                       std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace pulse::engine
