// engine::DeadlineList, the per-shard heartbeat timer: entries expire in order, after their
// duration and not before, removal and re-adding work, and a destroyed entry leaves its list.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <vector>

#include "engine/deadline_list.hpp"

using namespace std::chrono_literals;
using pulse::engine::DeadlineEntry;
using pulse::engine::DeadlineList;

namespace {

struct Item : DeadlineEntry {
    explicit Item(int i) : id(i) {}
    int id;
};

std::vector<int>* fired = nullptr;  // where on_due records (one test at a time)

void record(DeadlineEntry& e) {
    fired->push_back(static_cast<Item&>(e).id);
}

// Runs the io_context until `n` entries fired or the time is up; returns the elapsed time.
std::chrono::milliseconds run_until_fired(boost::asio::io_context& io, std::size_t n,
                                          std::chrono::milliseconds timeout = 2000ms) {
    const auto start = std::chrono::steady_clock::now();
    while (fired->size() < n && std::chrono::steady_clock::now() - start < timeout) {
        io.run_for(5ms);
        io.restart();
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

// A list of `duration` holding items 1, 2, 3 (appended in that order), recording into `got`.
struct ThreeItems {
    explicit ThreeItems(std::chrono::milliseconds duration) : list(io, duration, &record) {
        fired = &got;
        for (Item* item : {&a, &b, &c}) list.push_back(*item);
    }
    boost::asio::io_context io;
    std::vector<int> got;
    DeadlineList list;
    Item a{1}, b{2}, c{3};
};

}  // namespace

TEST_CASE("deadline list: entries fire in order, not before their duration") {
    ThreeItems t(50ms);
    auto& [io, got, list, a, b, c] = t;
    CHECK(list.size() == 3);
    const auto elapsed = run_until_fired(io, 3);
    CHECK(got == std::vector<int>{1, 2, 3});
    CHECK(elapsed >= 50ms);
    CHECK(list.empty());
    CHECK(a.deadline_list() == nullptr);
}

TEST_CASE("deadline list: removed entries do not fire; re-adding moves to the back") {
    ThreeItems t(30ms);
    auto& [io, got, list, a, b, c] = t;
    list.remove(b);
    list.push_back(a);  // a pong: a goes after c
    CHECK(list.size() == 2);
    run_until_fired(io, 2);
    io.run_for(60ms);  // b must stay silent
    CHECK(got == std::vector<int>{3, 1});
}

TEST_CASE("deadline list: an entry belongs to one list; destroying it unlinks it") {
    boost::asio::io_context io;
    std::vector<int> got;
    fired = &got;
    DeadlineList ping(io, 20ms, &record);
    DeadlineList pong(io, 200ms, &record);
    Item a(1);
    ping.push_back(a);
    pong.push_back(a);  // leaves `ping`
    CHECK(ping.empty());
    CHECK(a.deadline_list() == &pong);
    {
        Item gone(2);
        ping.push_back(gone);
    }
    CHECK(ping.empty());
    io.run_for(60ms);
    CHECK(got.empty());  // neither the moved nor the destroyed entry fired from `ping`
    run_until_fired(io, 1);
    CHECK(got == std::vector<int>{1});
}
