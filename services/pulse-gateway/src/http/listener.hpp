#pragma once
// The gateway's HTTP/1.1 listener (Beast): keep-alive, timeouts, header/body limits; routes each
// request through a Router, hands the paths of a mounted Endpoint (the Engine.IO server: polling
// and WebSocket upgrades) to it. Connections come from a net::Acceptor, one shard each.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/client_address.hpp"

namespace pulse::net {
class IoShards;
}

namespace pulse::http {

class Router;

struct ListenerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;             // 0: the kernel picks one (tests); see Listener::port()
    std::size_t body_limit = 1 << 20;      // plain routes; engine paths use the server's maxPayload
    std::size_t header_limit = 16 * 1024;  // request line + headers; past it 414 / 431
    // A request head must be complete this long after a connection opens, or after the first
    // byte of a later request on a keep-alive connection arrived (a client that drips its head,
    // slowloris, holds a descriptor only that long).
    std::chrono::milliseconds header_timeout{10000};
    std::chrono::seconds idle_timeout{60};  // keep-alive: waiting for a next request to begin
    std::chrono::seconds io_timeout{30};    // reading a body / writing one response
    // When accept() runs out of descriptors, each shard closes this many of its oldest
    // connections that have not sent a complete first request head (0: none). Connections past
    // their first head (long polls, WebSockets) are never closed for this.
    std::size_t shed_idle_per_shard = 16;
    // Peers whose X-Forwarded-For is believed (Request::remote_address, client_address.hpp).
    TrustedProxies trusted_proxies{};
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
    std::uint64_t accept_errors() const;     // net::Acceptor::accept_errors
    std::uint64_t header_timeouts() const;   // connections cut past header_timeout
    std::uint64_t shed_connections() const;  // closed to free descriptors (shed_idle_per_shard)

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::http
