#include <catch2/catch.hpp>
#include <vector>

#include "core/scenario.hpp"

using namespace pulse::bench;

TEST_CASE("events never target the same room twice and cover every room evenly") {
    for (std::uint32_t rooms : {2u, 3u, 50u, 5000u}) {
        std::vector<int> hits(rooms, 0);
        const std::uint64_t events = std::uint64_t{rooms} * 4;
        for (std::uint64_t k = 0; k < events; ++k) {
            const RoomPair p = rooms_for_event(k, rooms);
            REQUIRE(p.a < rooms);
            REQUIRE(p.b < rooms);
            REQUIRE(p.a != p.b);
            ++hits[p.a];
            ++hits[p.b];
        }
        for (int h : hits) REQUIRE(h == 8);
    }
}

TEST_CASE("connections fill rooms round-robin") {
    REQUIRE(room_of_connection(0, 10) == 0);
    REQUIRE(room_of_connection(13, 10) == 3);
}
