// engine::PacketQueue: FIFO order and byte count through pushes, pops, the compaction of the read
// index (past 256 popped items) and the reset when it drains; append moves everything in order;
// shared broadcast packets stay shared.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "engine/outgoing.hpp"

using pulse::engine::Outgoing;
using pulse::engine::PacketQueue;

namespace {

Outgoing text(const std::string& s) {
    return Outgoing{std::make_shared<const std::string>(s), false};
}

std::vector<std::string> contents(const PacketQueue& q) {
    std::vector<std::string> out;
    q.for_each([&](const Outgoing& o) { out.push_back(*o.data); });
    return out;
}

}  // namespace

TEST_CASE("a new queue is empty and counts nothing", "[packet_queue]") {
    PacketQueue q;
    CHECK(q.empty());
    CHECK(q.size() == 0);
    CHECK(q.bytes() == 0);
}

TEST_CASE("first in, first out; bytes follow every push and pop", "[packet_queue]") {
    PacketQueue q;
    q.push(text("4a"));
    q.push(Outgoing{std::make_shared<const std::string>("\x01\x02\x03"), true});
    q.push(text("4ccc"));
    CHECK(q.size() == 3);
    CHECK(q.bytes() == 2 + 3 + 4);
    auto first = q.pop();
    CHECK(*first.data == "4a");
    CHECK_FALSE(first.binary);
    CHECK(q.bytes() == 7);
    auto second = q.pop();
    CHECK(second.binary);
    CHECK(second.data->size() == 3);
    CHECK(q.size() == 1);
    CHECK(contents(q) == std::vector<std::string>{"4ccc"});
    CHECK(*q.pop().data == "4ccc");
    CHECK(q.empty());
    CHECK(q.bytes() == 0);
}

TEST_CASE("order and bytes survive the read-index compaction of a long-lived queue",
          "[packet_queue]") {
    // Keep the queue non-empty while popping well past 256 items, so the front is erased in
    // place (not reset by draining) several times.
    PacketQueue q;
    std::size_t pushed = 0, popped = 0, bytes = 0;
    auto push_next = [&] {
        const auto s = "4" + std::to_string(pushed++);
        bytes += s.size();
        q.push(text(s));
    };
    for (int i = 0; i < 10; ++i) push_next();
    for (int round = 0; round < 2000; ++round) {
        push_next();
        if (round % 3 != 0) push_next();
        auto o = q.pop();
        REQUIRE(*o.data == "4" + std::to_string(popped++));
        bytes -= o.data->size();
        REQUIRE(q.bytes() == bytes);
        REQUIRE(q.size() == pushed - popped);
    }
    while (!q.empty()) REQUIRE(*q.pop().data == "4" + std::to_string(popped++));
    CHECK(popped == pushed);
    CHECK(q.bytes() == 0);
    // Drained: usable again from the start.
    q.push(text("4again"));
    CHECK(contents(q) == std::vector<std::string>{"4again"});
}

TEST_CASE("append moves every packet to the back, in order, with its bytes", "[packet_queue]") {
    PacketQueue a, b;
    a.push(text("4a1"));
    b.push(text("4b1"));
    b.push(text("4b22"));
    a.append(b);
    CHECK(b.empty());
    CHECK(b.bytes() == 0);
    CHECK(contents(a) == std::vector<std::string>{"4a1", "4b1", "4b22"});
    CHECK(a.bytes() == 3 + 3 + 4);
}

TEST_CASE("a broadcast packet is shared, not copied, by every queue holding it", "[packet_queue]") {
    auto shared = std::make_shared<const std::string>("42[\"new-stream\",{}]");
    PacketQueue a, b;
    a.push(Outgoing{shared, false});
    b.push(Outgoing{shared, false});
    CHECK(shared.use_count() == 3);
    CHECK(a.pop().data.get() == shared.get());
    b.clear();
    CHECK(b.empty());
    CHECK(b.bytes() == 0);
    CHECK(shared.use_count() == 1);
}
