#pragma once
// Boost.Beast async HTTP/1.1 server: keep-alive, header/body limits, read/write/idle timeouts,
// a multi-threaded io_context (one strand per connection). Handlers run on the I/O thread that
// read the request and may block it (PostgreSQL calls): `io_threads` is how many requests are
// handled at once.
// stop(): stop accepting, let in-flight requests finish and answer (bounded), close the rest.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "http/message.hpp"

namespace pulse::lifecycle::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3001;   // 0: the kernel picks one, see HttpServer::port()
    std::size_t io_threads = 2;  // also the handler concurrency
    std::size_t body_limit = 64 * 1024;
    std::chrono::milliseconds timeout{30000};  // per read (idle keep-alive included) and per write
};

struct ListenError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HttpServer {
  public:
    using Handler = std::function<Response(const Request&)>;

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
