// The list of connections without a first request head (http/idle_handshakes.hpp): shedding takes
// the oldest first, at most the count asked, and skips members that left.
#include <catch2/catch.hpp>

#include <vector>

#include "http/idle_handshakes.hpp"

using pulse::http::IdleHandshakes;

namespace {
struct Fake final : IdleHandshakes::Member {
    explicit Fake(int i, std::vector<int>& log) : id(i), shed_log(log) {}
    void shed() override { shed_log.push_back(id); }
    int id;
    std::vector<int>& shed_log;
};
}  // namespace

TEST_CASE("idle handshakes: the oldest are shed first, members that left are not", "[http]") {
    std::vector<int> shed;
    std::vector<Fake> fakes;
    fakes.reserve(5);
    for (int i = 0; i < 5; ++i) fakes.emplace_back(i, shed);
    IdleHandshakes list;
    std::vector<IdleHandshakes::Position> at;
    for (auto& f : fakes) at.push_back(list.add(&f));
    list.remove(at[1]);  // sent its head: established, never shed

    CHECK(list.shed_oldest(2) == 2);
    CHECK(shed == std::vector<int>{0, 2});
    CHECK(list.size() == 2);
    CHECK(list.shed_oldest(16) == 2);
    CHECK(shed == std::vector<int>{0, 2, 3, 4});
    CHECK(list.shed_oldest(16) == 0);
    CHECK(list.shed_total() == 4);
}
