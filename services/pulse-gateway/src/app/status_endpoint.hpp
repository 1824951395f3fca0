#pragma once
// The status routes (/health, /ws-status) answered off the I/O threads. Their bodies can take
// milliseconds to render on a large deployment, and the I/O threads also deliver the events: so
// the I/O thread only queues {request, reply} here, and one worker thread of this endpoint runs
// the answer and sends it. The queue is bounded: past `max_pending` waiting requests the I/O
// thread answers 503 at once instead of queueing more (a burst of status requests costs the
// delivering threads almost nothing, and never memory without bound).
//
// Mounted once per path (the router mounts by prefix): only the exact path is answered, GET and
// HEAD (the listener drops a HEAD's body); under it 404, another method 405, an upgrade is closed.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "http/endpoint.hpp"
#include "http/message.hpp"

namespace pulse::app {

class StatusEndpoint final : public http::Endpoint {
  public:
    using Answer = std::function<http::Response(const http::Request&)>;
    // Seconds from the request's arrival to its answer (queue wait included).
    using Observe = std::function<void(double)>;

    StatusEndpoint(std::size_t body_limit, std::size_t max_pending);
    ~StatusEndpoint() override;  // stop()
    StatusEndpoint(const StatusEndpoint&) = delete;
    StatusEndpoint& operator=(const StatusEndpoint&) = delete;

    // Before the listener starts (then only read): `path` answered by `answer` on the worker.
    void add(std::string path, Answer answer, Observe observe = {});
    // The worker thread; stop() answers what is still queued with 503 and joins it. Call stop()
    // before the I/O shards stop (a reply posts to its connection's shard).
    void start();
    void stop();

    std::uint64_t overloaded() const { return overloaded_.load(std::memory_order_relaxed); }

    std::size_t body_limit() const override { return body_limit_; }
    void handle_request(std::size_t conn_shard, http::Request request,
                        std::shared_ptr<http::Reply> reply) override;
    void handle_oversized(std::size_t conn_shard, http::Request request,
                          std::shared_ptr<http::Reply> reply) override;
    void handle_upgrade(std::size_t conn_shard, http::Request request,
                        net::ShardSocket socket) override;
    void request_aborted(std::string_view, const http::Reply*) override {}

  private:
    struct Route {
        Answer answer;
        Observe observe;
    };
    struct Job {
        const Route* route;
        http::Request request;
        std::shared_ptr<http::Reply> reply;
        std::chrono::steady_clock::time_point arrived;
    };
    void run();

    const std::size_t body_limit_;
    const std::size_t max_pending_;
    std::map<std::string, Route, std::less<>> routes_;
    std::atomic<std::uint64_t> overloaded_{0};

    std::mutex mu_;  // guards the fields below
    std::condition_variable wake_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace pulse::app
