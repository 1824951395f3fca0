#include "app/status_cache.hpp"

#include <time.h>

#include <algorithm>

namespace pulse::app {

StatusCache::StatusCache(std::chrono::milliseconds floor, std::function<Clock::time_point()> clock,
                         std::function<std::chrono::nanoseconds()> cpu)
    : floor_(floor), clock_(std::move(clock)), cpu_(std::move(cpu)) {}

std::chrono::nanoseconds StatusCache::thread_cpu_time() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

std::shared_ptr<const std::string> StatusCache::get(const std::function<std::string()>& render) {
    {
        std::lock_guard lock(mu_);
        if (body_ && (rendering_ || clock_() < next_render_)) return body_;
        rendering_ = true;
    }
    const auto started = cpu_();
    std::shared_ptr<const std::string> body;
    try {
        body = std::make_shared<const std::string>(render());
    } catch (...) {
        std::lock_guard lock(mu_);
        rendering_ = false;
        throw;
    }
    const auto cost = cpu_() - started;
    renders_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    rendering_ = false;
    body_ = body;
    next_render_ = clock_() + std::max<Clock::duration>(floor_, kCostFactor * cost);
    return body;
}

}  // namespace pulse::app
