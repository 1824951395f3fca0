#pragma once
// Boost.Beast async HTTP/1.1 server: keep-alive, header/body limits, read/write/idle timeouts,
// an io_context run by one or more threads (a strand per connection when there are several;
// with one, the default, the io_context's own executor). The handler is called on the I/O
// thread that read the request and answers through `Respond`, at once or later from another
// thread (a command answers when its batch committed): the I/O thread never waits for it, so
// any number of requests can be in flight.
// Abuse limits: the request head (start line + headers) must arrive whole within
// `header_timeout` (slow drips are cut, 408) and fit in `header_limit` (431); the body must fit
// in `body_limit` (413) and the rest of the request arrive within `timeout` (408). When accept
// fails (EMFILE: out of descriptors) the listener pauses instead of spinning and logs one line
// per `kAcceptLogInterval`; out of descriptors it also closes the `shed_idle_handshakes` oldest
// connections that have not completed a first request head (never one past it).
// stop(): stop accepting, let in-flight requests finish and answer (bounded), close the rest.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "http/message.hpp"
#include "http/server_stats.hpp"

namespace pulse::lifecycle::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3001;  // 0: the kernel picks one, see HttpServer::port()
    std::size_t io_threads = 2;
    std::size_t body_limit = 64 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::chrono::milliseconds header_timeout{10000};  // request head, idle keep-alive included
    std::chrono::milliseconds timeout{30000};         // rest of the request, and each write
    std::size_t shed_idle_handshakes = 16;            // per failed accept (EMFILE); 0: none
    ServerStats* stats = nullptr;                     // optional counters for /metrics
};

struct ListenError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HttpServer {
  public:
    using Handler = std::function<void(Request, Respond)>;

    // Binds and listens (throws ListenError "cannot listen on host:port: reason"); serves after
    // start().
    HttpServer(ServerOptions options, Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    std::uint16_t port() const;
    void start();
    // Graceful: returns when in-flight requests are answered or `drain` elapsed.
    void stop(std::chrono::milliseconds drain);

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::lifecycle::http
