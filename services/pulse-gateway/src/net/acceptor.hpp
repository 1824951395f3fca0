#pragma once
// The gateway's listening socket: binds one address, accepts on shard 0 and spreads the accepted
// connections round-robin over every IoShards shard. Each socket is accepted straight into its
// shard's io_context, and the handler runs on that shard's thread: from then on the connection is
// touched by that thread only.
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/shard_socket.hpp"

namespace pulse::net {

class IoShards;

class Acceptor {
  public:
    // `peer` comes from accept() itself: no getpeername() per connection.
    using Handler = std::function<void(
        ShardSocket socket, const boost::asio::ip::tcp::endpoint& peer, std::size_t shard)>;

    // Binds and listens right away: throws std::runtime_error with a one-line message naming the
    // address ("cannot listen on 127.0.0.1:3000: Address already in use") on failure.
    Acceptor(IoShards& shards, const std::string& host, std::uint16_t port, Handler on_accept);
    ~Acceptor();
    Acceptor(const Acceptor&) = delete;
    Acceptor& operator=(const Acceptor&) = delete;

    std::uint16_t port() const;  // the bound port (useful with port 0)
    void start();                // begins accepting (the shards must be running or about to)
    void stop();                 // stops accepting; thread-safe; accepted connections keep running
    // Failed accepts so far (EMFILE and the like); after each the acceptor pauses, 10 ms doubling
    // to 1 s, and logs one line per 10 s. Thread-safe.
    std::uint64_t accept_errors() const;
    // Called on the acceptor's thread after each accept that failed for want of a descriptor
    // (EMFILE/ENFILE), before the pause: the owner frees some (sheds idle connections), since
    // otherwise only a timeout would. Set it before start().
    void on_out_of_descriptors(std::function<void()> hook);

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::net
