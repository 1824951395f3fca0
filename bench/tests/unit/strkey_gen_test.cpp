#include <catch2/catch.hpp>
#include <set>

#include "core/strkey_gen.hpp"
#include "pulse/strkey.hpp"

using namespace pulse::bench;

TEST_CASE("bench addresses are valid accounts, distinct and deterministic") {
    std::set<std::string> seen;
    for (std::uint32_t i = 0; i < 2000; ++i) {
        const std::string a = bench_address(7, i);
        REQUIRE(a.size() == 56);
        const auto check = pulse::strkey::check_address(a);
        INFO(a << ": " << check.error);
        REQUIRE(check.kind == pulse::strkey::Kind::account);
        seen.insert(a);
    }
    REQUIRE(seen.size() == 2000);
    REQUIRE(bench_address(7, 42) == bench_address(7, 42));
    REQUIRE(bench_address(7, 42) != bench_address(8, 42));
}
