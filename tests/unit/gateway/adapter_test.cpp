// Room maps and the encoded-once broadcast.
#include <catch2/catch.hpp>

#include "adapter/room_index.hpp"

using pulse::adapter::Member;
using pulse::adapter::RoomIndex;

namespace {

struct Recorder : Member {
    std::vector<std::shared_ptr<const std::string>> got;
    void deliver(const std::shared_ptr<const std::string>& packet) override {
        got.push_back(packet);
    }
};

std::shared_ptr<const std::string> packet(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

TEST_CASE("join and leave keep both maps in step") {
    RoomIndex idx;
    Recorder a, b;
    CHECK(idx.join(a, "stream-A"));
    CHECK_FALSE(idx.join(a, "stream-A"));  // joining twice is harmless
    CHECK(idx.join(a, "stream-B"));
    CHECK(idx.join(b, "stream-B"));
    CHECK(idx.room_size("stream-A") == 1);
    CHECK(idx.room_size("stream-B") == 2);
    CHECK(idx.rooms_of(a) == std::vector<std::string>{"stream-A", "stream-B"});
    CHECK(idx.contains(b, "stream-B"));
    CHECK_FALSE(idx.contains(b, "stream-A"));

    CHECK(idx.leave(a, "stream-A"));
    CHECK_FALSE(idx.leave(a, "stream-A"));
    CHECK_FALSE(idx.leave(b, "nowhere"));
    CHECK(idx.room_size("stream-A") == 0);
    CHECK(idx.room_count() == 1);  // an emptied room is dropped, not kept forever

    idx.leave_all(b);
    CHECK(idx.rooms_of(b).empty());
    CHECK(idx.room_size("stream-B") == 1);
    idx.leave_all(a);
    CHECK(idx.room_count() == 0);
    CHECK(idx.member_count() == 0);
    idx.leave_all(a);  // harmless when already gone
}

TEST_CASE("a broadcast to several rooms reaches each member once, sharing one buffer") {
    RoomIndex idx;
    Recorder in_both, only_a, only_b, elsewhere;
    idx.join(in_both, "A");
    idx.join(in_both, "B");
    idx.join(only_a, "A");
    idx.join(only_b, "B");
    idx.join(elsewhere, "C");

    const auto p = packet(R"(42["new-stream",{}])");
    const std::vector<std::string> rooms{"A", "B", "missing"};
    CHECK(idx.broadcast(rooms, p) == 3);
    REQUIRE(in_both.got.size() == 1);
    REQUIRE(only_a.got.size() == 1);
    REQUIRE(only_b.got.size() == 1);
    CHECK(elsewhere.got.empty());
    // Encoded once: everybody holds the very same string object.
    CHECK(in_both.got[0].get() == p.get());
    CHECK(only_a.got[0].get() == p.get());
    CHECK(only_b.got[0].get() == p.get());

    // The same room twice in the list is still one delivery.
    const std::vector<std::string> twice{"A", "A"};
    CHECK(idx.broadcast(twice, p) == 2);
    CHECK(in_both.got.size() == 2);
    const std::vector<std::string> a_b_a{"A", "B", "A"};
    CHECK(idx.broadcast(a_b_a, p) == 3);
    CHECK(in_both.got.size() == 3);

    const std::vector<std::string> none{"nobody"};
    CHECK(idx.broadcast(none, p) == 0);
}

TEST_CASE("after leave_all a member receives nothing") {
    RoomIndex idx;
    Recorder gone, stays;
    idx.join(gone, "A");
    idx.join(stays, "A");
    idx.leave_all(gone);
    const std::vector<std::string> rooms{"A"};
    idx.broadcast(rooms, packet("x"));
    CHECK(gone.got.empty());
    CHECK(stays.got.size() == 1);
}
