#include "app/status_endpoint.hpp"

#include <exception>
#include <utility>

namespace pulse::app {

StatusEndpoint::StatusEndpoint(std::size_t body_limit, std::size_t max_pending)
    : body_limit_(body_limit), max_pending_(max_pending) {}

StatusEndpoint::~StatusEndpoint() {
    stop();
}

void StatusEndpoint::add(std::string path, Answer answer, Observe observe) {
    routes_[std::move(path)] = Route{std::move(answer), std::move(observe)};
}

void StatusEndpoint::start() {
    std::lock_guard lock(mu_);
    if (worker_.joinable() || stopping_) return;
    worker_ = std::thread([this] { run(); });
}

void StatusEndpoint::stop() {
    std::deque<Job> left;
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        left.swap(queue_);
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    for (auto& job : left)
        job.reply->send(http::json_response(503, R"({"error":"Service Unavailable"})"));
}

void StatusEndpoint::handle_request(std::size_t, http::Request request,
                                    std::shared_ptr<http::Reply> reply) {
    // The same answers as the router gives a plain route: exact path, GET (HEAD answered as GET).
    const auto it = routes_.find(request.path);
    if (it == routes_.end())
        return reply->send(http::json_response(404, R"({"error":"Not Found"})"));
    if (request.method != "GET" && request.method != "HEAD") {
        http::Response r = http::json_response(405, R"({"error":"Method Not Allowed"})");
        r.headers.emplace_back("Allow", "GET");
        return reply->send(std::move(r));
    }
    const auto arrived = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mu_);
        if (!stopping_ && worker_.joinable() && queue_.size() < max_pending_) {
            queue_.push_back(Job{&it->second, std::move(request), std::move(reply), arrived});
            wake_.notify_one();
            return;
        }
    }
    // Full (or shutting down): refused here, at once, rather than queued without bound.
    overloaded_.fetch_add(1, std::memory_order_relaxed);
    http::Response r = http::json_response(503, R"({"error":"Service Unavailable"})");
    r.headers.emplace_back("Retry-After", "1");
    reply->send(std::move(r));
}

void StatusEndpoint::handle_oversized(std::size_t, http::Request,
                                      std::shared_ptr<http::Reply> reply) {
    reply->send(http::json_response(413, R"({"error":"Payload Too Large"})"));
}

void StatusEndpoint::handle_upgrade(std::size_t, http::Request, net::ShardSocket socket) {
    // No WebSocket here: the socket is closed (it goes out of scope on its own shard thread).
    boost::system::error_code ignored;
    socket.shutdown(net::ShardSocket::shutdown_both, ignored);
    socket.close(ignored);
}

void StatusEndpoint::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;  // stop() answers what is left
        Job job = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        http::Response response;
        try {
            response = job.route->answer(job.request);
        } catch (const std::exception&) {
            response = http::json_response(500, R"({"error":"Internal Server Error"})");
        }
        if (job.route->observe)
            job.route->observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - job.arrived)
                    .count());
        job.reply->send(std::move(response));
        lock.lock();
    }
}

}  // namespace pulse::app
