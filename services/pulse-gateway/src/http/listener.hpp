#pragma once
// The gateway's HTTP/1.1 listener (Beast): keep-alive, timeouts, header/body limits; routes each
// request through a Router, hands Engine.IO paths (polling and WebSocket upgrades) to the mounted
// engine::Server. Accepts on shard 0 and spreads connections over every IoShards shard.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pulse::http {

class IoShards;
class Router;

struct ListenerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;         // 0: the kernel picks one (tests); see Listener::port()
    std::size_t body_limit = 1 << 20;  // plain routes; engine paths use the server's maxPayload
    std::chrono::seconds idle_timeout{60};  // waiting for a request on a keep-alive connection
    std::chrono::seconds io_timeout{30};    // reading one request / writing one response
};

class Listener {
  public:
    // Binds and listens right away: throws std::runtime_error with a one-line message naming the
    // address ("cannot listen on 127.0.0.1:3000: Address already in use") on failure.
    Listener(IoShards& shards, const Router& router, ListenerOptions options);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    std::uint16_t port() const;  // the bound port (useful with port 0)
    void start();                // begins accepting (the shards must be running or about to)
    void stop();                 // stops accepting; thread-safe; open connections keep running

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::http
