#include "app/status_cache.hpp"

#include <algorithm>

namespace pulse::app {

StatusCache::StatusCache(std::chrono::milliseconds floor, std::function<Clock::time_point()> clock)
    : floor_(floor), clock_(std::move(clock)) {}

std::shared_ptr<const std::string> StatusCache::get(const std::function<std::string()>& render) {
    {
        std::lock_guard lock(mu_);
        if (body_ && (rendering_ || clock_() < next_render_)) return body_;
        rendering_ = true;
    }
    const auto started = clock_();
    std::shared_ptr<const std::string> body;
    try {
        body = std::make_shared<const std::string>(render());
    } catch (...) {
        std::lock_guard lock(mu_);
        rendering_ = false;
        throw;
    }
    const auto finished = clock_();
    renders_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    rendering_ = false;
    body_ = body;
    next_render_ = finished + std::max<Clock::duration>(floor_, kCostFactor * (finished - started));
    return body;
}

}  // namespace pulse::app
