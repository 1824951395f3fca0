// app/status_cache.hpp: a status body is re-rendered at most once per max(floor, 10 x the last
// rendering's CPU time); the last body is served in between. Driven by a fake clock (standing for
// both the time and the CPU time) that the "rendering" itself advances.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "app/status_cache.hpp"

using pulse::app::StatusCache;
using namespace std::chrono_literals;

namespace {
struct FakeClock {
    StatusCache::Clock::time_point now{};
    std::function<StatusCache::Clock::time_point()> fn() {
        return [this] { return now; };
    }
    std::function<std::chrono::nanoseconds()> cpu() {
        return [this] { return now.time_since_epoch(); };
    }
};
}  // namespace

TEST_CASE("status cache: fresh when rendering is cheap, bounded by its own cost when not",
          "[app][status]") {
    FakeClock clock;
    StatusCache cache(0ms, clock.fn(), clock.cpu());
    int version = 0;
    auto cost = 0ms;
    auto render = [&] {
        clock.now += cost;
        return "v" + std::to_string(++version);
    };
    // Free renderings: every request gets a new one.
    CHECK(*cache.get(render) == "v1");
    CHECK(*cache.get(render) == "v2");
    CHECK(cache.renders() == 2);
    // A rendering that takes 50 ms is not repeated within 500 ms of its end.
    cost = 50ms;
    CHECK(*cache.get(render) == "v3");
    clock.now += 499ms;
    CHECK(*cache.get(render) == "v3");
    CHECK(cache.renders() == 3);
    clock.now += 1ms;
    CHECK(*cache.get(render) == "v4");
    CHECK(cache.renders() == 4);
}

TEST_CASE("status cache: the floor holds a body even when rendering is free", "[app][status]") {
    FakeClock clock;
    StatusCache cache(1000ms, clock.fn(), clock.cpu());
    int version = 0;
    auto render = [&] { return "v" + std::to_string(++version); };
    CHECK(*cache.get(render) == "v1");
    clock.now += 999ms;
    CHECK(*cache.get(render) == "v1");
    clock.now += 1ms;
    CHECK(*cache.get(render) == "v2");
    CHECK(cache.renders() == 2);
}

TEST_CASE("status cache: a request during a rendering gets the previous body", "[app][status]") {
    FakeClock clock;
    StatusCache cache(0ms, clock.fn(), clock.cpu());
    CHECK(*cache.get([] { return std::string("old"); }) == "old");
    clock.now += 1s;
    std::string inner;
    // A rendering that (as another thread would) asks meanwhile: it gets "old", no second
    // rendering starts.
    CHECK(*cache.get([&] {
        inner = *cache.get([] { return std::string("nested"); });
        return std::string("new");
    }) == "new");
    CHECK(inner == "old");
    CHECK(cache.renders() == 2);
    // A failed rendering leaves the cache usable.
    clock.now += 1s;
    CHECK_THROWS(cache.get([]() -> std::string { throw std::runtime_error("x"); }));
    CHECK(*cache.get([] { return std::string("after"); }) == "after");
}

TEST_CASE("status cache: the cost is the rendering thread's CPU time", "[app][status]") {
    using namespace std::chrono;
    // Work advances it (spinning until it shows 5 ms, bounded by 10 s of wall time on a busy
    // machine); a sleep does not.
    const auto before = StatusCache::thread_cpu_time();
    const auto give_up = steady_clock::now() + 10s;
    volatile unsigned spin = 0;
    while (StatusCache::thread_cpu_time() - before < 5ms && steady_clock::now() < give_up)
        spin = spin + 1;
    CHECK(StatusCache::thread_cpu_time() - before >= 5ms);
    const auto asleep = StatusCache::thread_cpu_time();
    std::this_thread::sleep_for(50ms);
    CHECK(StatusCache::thread_cpu_time() - asleep < 10ms);
}
