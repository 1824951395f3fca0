// net::IoShards: one thread per shard, never the caller's; work posted to a shard runs on that
// shard's thread only; round-robin indices; stop_and_join returns with every thread joined.
#include <catch2/catch.hpp>

#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/io_shards.hpp"

using pulse::net::IoShards;

namespace {

// The thread that runs a job posted to shard `i` (bounded wait: a stalled shard fails the test).
std::thread::id runner_of(IoShards& shards, std::size_t i) {
    std::promise<std::thread::id> ran;
    auto got = ran.get_future();
    boost::asio::post(shards.at(i), [&ran] { ran.set_value(std::this_thread::get_id()); });
    REQUIRE(got.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    return got.get();
}

}  // namespace

TEST_CASE("zero shards is refused", "[net][shards]") {
    CHECK_THROWS_AS(IoShards(0), std::invalid_argument);
}

TEST_CASE("next_index cycles over every shard in order", "[net][shards]") {
    IoShards shards(3);
    REQUIRE(shards.size() == 3);
    std::vector<std::size_t> seen;
    for (int i = 0; i < 7; ++i) seen.push_back(shards.next_index());
    CHECK(seen == std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0});
}

TEST_CASE("each shard runs on a thread of its own, not the caller's", "[net][shards]") {
    IoShards shards(3);
    shards.start();
    std::set<std::thread::id> threads;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const auto first = runner_of(shards, i);
        CHECK(first != std::this_thread::get_id());
        // The same shard keeps the same thread: a connection never migrates.
        CHECK(runner_of(shards, i) == first);
        threads.insert(first);
    }
    CHECK(threads.size() == 3);
    shards.stop_and_join();
}

TEST_CASE("an idle shard keeps running until stop_and_join, which then returns", "[net][shards]") {
    IoShards shards(2);
    shards.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // nothing queued meanwhile
    std::atomic<int> ran{0};
    for (std::size_t i = 0; i < shards.size(); ++i) runner_of(shards, i), ++ran;
    CHECK(ran == 2);
    auto joined = std::async(std::launch::async, [&] { shards.stop_and_join(); });
    REQUIRE(joined.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    // Stopped: posted work no longer runs.
    std::atomic<bool> late{false};
    boost::asio::post(shards.at(0), [&] { late = true; });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(late);
    // A second start serves again.
    shards.start();
    CHECK(runner_of(shards, 1) != std::this_thread::get_id());
}
