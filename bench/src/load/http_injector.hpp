#pragma once
// Injects events through the HTTP test endpoint (POST /api/test/test-stream): the whole system,
// PostgreSQL commit included for the C++ pair. Keep-alive connections, one request in flight on
// each, paced at a fixed rate or closed-loop at max.
#include <cstdint>
#include <string>
#include <vector>

#include "event_book.hpp"

namespace pulse::bench {

class HttpInjector {
  public:
    HttpInjector(std::string host, std::uint16_t port, unsigned connections);
    ~HttpInjector();
    HttpInjector(const HttpInjector&) = delete;
    HttpInjector& operator=(const HttpInjector&) = delete;

    // Opens the keep-alive connections; false with a reason when the server is not there.
    bool connect(std::string& error);
    void run(const Pacing& pacing, EventBook& book);

  private:
    struct Link {
        int fd = -1;
        bool busy = false;
        StreamTag tag;
        std::string in;
    };
    bool send_event(Link& link, EventBook& book, std::uint64_t k);
    void on_readable(Link& link, EventBook& book);

    std::string host_;
    std::uint16_t port_;
    std::vector<Link> links_;
    int epoll_fd_ = -1;
    unsigned busy_ = 0;
};

}  // namespace pulse::bench
