#pragma once
// PULSE_AUTH=jwt: every CONNECT to the main namespace must carry `auth: { token }`, a SEP-10 JWT
// (pulse/jwt/verifier.hpp). A refused CONNECT gets CONNECT_ERROR
//   {"message":"unauthorized","data":{"code":<jwt::code>,"reason":<sentence>}}
// and the Engine.IO session stays open as socket.io leaves it. An accepted socket's auth() loses
// the token and holds "account" (the address whose room it may join). When the token expires
// (exp + leeway) while connected, the socket gets an "auth-error" event
//   {"code":"expired","reason":"token expired"}
// and is disconnected by the server (the client sees "io server disconnect").
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <pulse/jwt/verifier.hpp>
#include <pulse/prometheus.hpp>

namespace pulse::net {
class IoShards;
}
namespace pulse::sio {
class Server;
class Socket;
}  // namespace pulse::sio

namespace pulse::app {

struct AuthStats {
    std::atomic<std::uint64_t> accepted{0};
    std::array<std::atomic<std::uint64_t>, 8> refused{};  // by jwt::Error
    std::atomic<std::uint64_t> expired{0};                // sockets cut at their token's expiry
    prom::Counter* failures = nullptr;  // the gateway-wide total refusals also count in, if set
};

class Authenticator {
  public:
    Authenticator(jwt::Verifier verifier, net::IoShards& shards);
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    // The CONNECT middleware and the expiry bookkeeping on "/" (call before serving).
    void install(sio::Server& server);
    // Arms the expiry of a socket that just connected (its shard's thread).
    void watch(sio::Socket& socket);

    const AuthStats& stats() const { return stats_; }
    // Refusals also count in `total` (call before serving).
    void count_failures_in(prom::Counter& total) { stats_.failures = &total; }
    const jwt::Verifier& verifier() const { return verifier_; }

    // The account an accepted socket's token speaks for; empty when the socket has none.
    static std::string_view account_of(const sio::Socket& socket);

  private:
    struct Shard;
    void forget(sio::Socket& socket);

    jwt::Verifier verifier_;
    net::IoShards& shards_;
    std::vector<std::unique_ptr<Shard>> per_shard_;
    AuthStats stats_;
};

}  // namespace pulse::app
