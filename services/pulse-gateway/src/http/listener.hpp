#pragma once
// The gateway's HTTP/1.1 listener (Beast): keep-alive, timeouts, header/body limits; routes each
// request through a Router, hands the paths of a mounted Endpoint (the Engine.IO server: polling
// and WebSocket upgrades) to it. Connections come from a net::Acceptor, one shard each.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pulse::net {
class IoShards;
}

namespace pulse::http {

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
    // Binds and listens at once (net::Acceptor: a failure throws a one-line message naming the
    // address). Neither copied nor moved: connections refer to the router and the options.
    Listener(net::IoShards& shards, const Router& router, ListenerOptions options);
    Listener(Listener&&) = delete;
    ~Listener();

    // net::Acceptor's: the bound port; begin accepting; stop accepting (thread-safe, open
    // connections keep running).
    std::uint16_t port() const;
    void start();
    void stop();
    std::uint64_t accept_errors() const;  // net::Acceptor::accept_errors

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::http
