#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "http/idle_handshakes.hpp"

using pulse::lifecycle::http::IdleHandshakes;

TEST_CASE("IdleHandshakes sheds the oldest first, and only those still waiting", "[unit][http]") {
    IdleHandshakes list;
    std::vector<std::string> shed;
    auto a = list.join([&] { shed.push_back("a"); });
    auto b = list.join([&] { shed.push_back("b"); });
    auto c = list.join([&] { shed.push_back("c"); });
    auto d = list.join([&] { shed.push_back("d"); });
    list.leave(b);  // its head came: never shed
    REQUIRE(list.size() == 3);

    CHECK(list.shed_oldest(2) == 2);
    CHECK(shed == std::vector<std::string>{"a", "c"});
    list.leave(a);  // leaving after being shed does nothing
    list.leave(b);  // nor does leaving twice
    CHECK(list.size() == 1);

    CHECK(list.shed_oldest(16) == 1);
    CHECK(shed == std::vector<std::string>{"a", "c", "d"});
    CHECK(list.shed_oldest(16) == 0);
    CHECK(shed.size() == 3);  // each at most once
}
