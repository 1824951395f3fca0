#pragma once
// A status answer (/health, /ws-status) that repeated requests cannot turn into a denial of
// service: its body is rendered at most once per max(`floor`, kCostFactor x the CPU time the last
// rendering took), and the last body is served in between. A small deployment renders in
// microseconds and so is answered fresh every time; a large one (a rendering of 100k addresses
// takes tens of milliseconds) is re-rendered a few times per second at most, however often it is
// asked, so status requests take at most about 1/kCostFactor of one I/O thread. CPU time of the
// rendering thread, not wall time: on a busy machine a preempted rendering would otherwise look
// expensive and hold a stale body for no reason. At most one thread renders at a time: a request
// arriving meanwhile gets the previous body instead of waiting for the lock or rendering too.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace pulse::app {

class StatusCache {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kCostFactor = 10;

    // `clock`: now; `cpu`: the calling thread's CPU time so far (both replaceable for tests).
    explicit StatusCache(
        std::chrono::milliseconds floor,
        std::function<Clock::time_point()> clock = [] { return Clock::now(); },
        std::function<std::chrono::nanoseconds()> cpu = thread_cpu_time);
    static std::chrono::nanoseconds thread_cpu_time();

    // The current body: the last one, or `render()`'s when a new rendering is due.
    std::shared_ptr<const std::string> get(const std::function<std::string()>& render);
    std::uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }

  private:
    const std::chrono::milliseconds floor_;
    const std::function<Clock::time_point()> clock_;
    const std::function<std::chrono::nanoseconds()> cpu_;
    std::mutex mu_;  // guards the fields below; never held while rendering
    std::shared_ptr<const std::string> body_;
    Clock::time_point next_render_{};  // no new rendering before
    bool rendering_ = false;
    std::atomic<std::uint64_t> renders_{0};
};

}  // namespace pulse::app
