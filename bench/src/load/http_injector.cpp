#include "http_injector.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "../core/http_response.hpp"
#include "client_pool.hpp"

namespace pulse::bench {

HttpInjector::HttpInjector(std::vector<HttpEndpoint> endpoints, unsigned connections)
    : endpoints_(std::move(endpoints)), links_(connections ? connections : 1) {
    if (endpoints_.empty()) endpoints_.push_back({"127.0.0.1", 3000});
}

HttpInjector::~HttpInjector() {
    for (auto& l : links_) {
        if (l.fd >= 0) ::close(l.fd);
    }
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

bool HttpInjector::connect(std::string& error) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < links_.size(); ++i) {
        auto& l = links_[i];
        l.endpoint = &endpoints_[i % endpoints_.size()];
        sockaddr_in dst{};
        dst.sin_family = AF_INET;
        dst.sin_port = htons(l.endpoint->port);
        inet_pton(AF_INET, l.endpoint->host.c_str(), &dst.sin_addr);
        l.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(l.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
            error = "HTTP injector cannot connect to " + l.endpoint->host + ":" +
                    std::to_string(l.endpoint->port) + ": " + strerror(errno);
            return false;
        }
        const int one = 1;
        setsockopt(l.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(l.fd, F_SETFL, fcntl(l.fd, F_GETFL) | O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = &l;
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, l.fd, &ev);
    }
    return true;
}

bool HttpInjector::send_event(Link& link, EventBook& book, std::uint64_t k,
                              std::uint64_t scheduled_ns) {
    // Open loop: latency counts from when the event was due, not from when a connection was free
    // to send it (no coordinated omission); closed loop (max rate): from the send.
    const std::uint64_t now = scheduled_ns ? scheduled_ns : monotonic_ns();
    link.tag = book.make_event(k, now);
    const std::string body = stream_request_body(book, link.tag);
    std::string req;
    req.reserve(body.size() + 160);
    req += "POST /api/test/test-stream HTTP/1.1\r\nHost: ";
    req += link.endpoint->host + ":" + std::to_string(link.endpoint->port);
    req += "\r\nContent-Type: application/json\r\nContent-Length: ";
    req += std::to_string(body.size());
    req += "\r\n\r\n";
    req += body;
    // Requests are small: the socket buffer of an idle keep-alive connection always takes one.
    const ssize_t n = ::send(link.fd, req.data(), req.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(req.size())) {
        book.on_rejected("HTTP request write failed");
        return false;
    }
    link.busy = true;
    ++busy_;
    book.on_sent(link.tag, now);
    return true;
}

void HttpInjector::on_readable(Link& link, EventBook& book) {
    char buf[16384];
    while (true) {
        const ssize_t n = ::read(link.fd, buf, sizeof buf);
        if (n > 0) {
            link.in.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        // Closed by the server: the request in flight is lost, the link is out of service.
        if (link.busy) {
            link.busy = false;
            --busy_;
            book.on_rejected("HTTP connection closed by the server");
        }
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, link.fd, nullptr);
        ::close(link.fd);
        link.fd = -1;
        return;
    }
    while (link.busy) {
        const auto probe = probe_http_response(link.in);
        if (probe.status == HttpResponseProbe::Status::need_more) return;
        link.busy = false;
        --busy_;
        if (probe.status == HttpResponseProbe::Status::error) {
            book.on_rejected(probe.error);
            link.in.clear();
            return;
        }
        if (probe.code >= 200 && probe.code < 300) {
            book.on_accepted(link.tag);
        } else {
            book.on_rejected("HTTP " + std::to_string(probe.code) + ": " +
                             link.in.substr(0, std::min<std::size_t>(probe.total_size, 400)));
        }
        link.in.erase(0, probe.total_size);
    }
}

void HttpInjector::run(const Pacing& pacing, EventBook& book) {
    const std::uint64_t start = monotonic_ns();
    const auto end = start + static_cast<std::uint64_t>(pacing.duration_s * 1e9);
    const double interval_ns = pacing.max_rate ? 0 : 1e9 / pacing.rate;
    if (!pacing.max_rate) {
        book.offered = static_cast<std::uint64_t>(std::floor(pacing.duration_s * pacing.rate));
        if (pacing.max_events) book.offered = std::min(book.offered, pacing.max_events);
    }
    std::uint64_t k = 0;
    bool scheduling = true;
    std::vector<epoll_event> events(links_.size());
    while (true) {
        const std::uint64_t now = monotonic_ns();
        std::int64_t wait_ns = 1'000'000;
        if (scheduling) {
            if (pacing.max_rate) {
                if (now >= end || (pacing.max_events && k >= pacing.max_events)) {
                    scheduling = false;
                }
            } else if (k >= book.offered || now >= end + 2'000'000'000ULL) {
                // Open loop: events not sent two seconds past the duration count as not sent.
                scheduling = false;
            }
        }
        if (scheduling) {
            for (auto& l : links_) {
                if (l.busy || l.fd < 0) continue;
                if (pacing.max_rate) {
                    if (outstanding(book, pacing) >= pacing.window_deliveries) break;
                    if (pacing.max_events && k >= pacing.max_events) break;
                } else {
                    const auto due = start + static_cast<std::uint64_t>(interval_ns * k);
                    if (k >= book.offered) break;
                    if (due > monotonic_ns()) {
                        wait_ns = static_cast<std::int64_t>(due - monotonic_ns());
                        break;
                    }
                }
                const std::uint64_t due =
                    pacing.max_rate ? 0 : start + static_cast<std::uint64_t>(interval_ns * k);
                if (send_event(l, book, k, due)) ++k;
            }
        } else if (busy_ == 0) {
            break;
        }
        timespec timeout{0, std::min<std::int64_t>(wait_ns, 1'000'000)};
        const int n = epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                   &timeout, nullptr);
        for (int i = 0; i < n; ++i) on_readable(*static_cast<Link*>(events[i].data.ptr), book);
        if (!scheduling && monotonic_ns() > end + 30'000'000'000ULL) break;  // a hung server
    }
}

}  // namespace pulse::bench
