#pragma once
// Injects events through the HTTP test endpoint (POST /api/test/test-stream): the whole system,
// PostgreSQL commit included for the C++ pair. Keep-alive connections, one request in flight on
// each, paced at a fixed rate (open loop: latency from each event's scheduled time; use enough
// --http-connections that a due event never waits for a free one) or closed-loop at max.
// Several endpoints (several lifecycle instances on one database): connection i goes to endpoint
// i mod N, so the events are spread evenly over the instances.
#include <cstdint>
#include <string>
#include <vector>

#include "event_book.hpp"

namespace pulse::bench {

struct HttpEndpoint {
    std::string host;
    std::uint16_t port = 0;
};

class HttpInjector {
  public:
    HttpInjector(std::vector<HttpEndpoint> endpoints, unsigned connections);
    ~HttpInjector();
    HttpInjector(const HttpInjector&) = delete;
    HttpInjector& operator=(const HttpInjector&) = delete;

    // Opens the keep-alive connections; false with a reason when the server is not there.
    bool connect(std::string& error);
    void run(const Pacing& pacing, EventBook& book);

  private:
    struct Link {
        int fd = -1;
        const HttpEndpoint* endpoint = nullptr;
        bool busy = false;
        StreamTag tag;
        std::string in;
    };
    // scheduled_ns: when the event was due (open loop), 0 for "now" (closed loop).
    bool send_event(Link& link, EventBook& book, std::uint64_t k, std::uint64_t scheduled_ns);
    void on_readable(Link& link, EventBook& book);

    std::vector<HttpEndpoint> endpoints_;
    std::vector<Link> links_;
    int epoll_fd_ = -1;
    unsigned busy_ = 0;
};

}  // namespace pulse::bench
