#include <catch2/catch.hpp>

#include "core/percentiles.hpp"

using namespace pulse::bench;

TEST_CASE("nearest-rank percentiles over 1..1000 ms") {
    std::vector<std::uint64_t> v;
    for (std::uint64_t i = 1000; i >= 1; --i) v.push_back(i * 1'000'000);  // unsorted input
    const auto s = summarize_latency(v);
    REQUIRE(s.count == 1000);
    REQUIRE(s.p50_ms == Approx(500));
    REQUIRE(s.p90_ms == Approx(900));
    REQUIRE(s.p99_ms == Approx(990));
    REQUIRE(s.p999_ms == Approx(999));
    REQUIRE(s.max_ms == Approx(1000));
}

TEST_CASE("percentiles of one sample and of none") {
    std::vector<std::uint64_t> one{2'500'000};
    REQUIRE(summarize_latency(one).p999_ms == Approx(2.5));
    std::vector<std::uint64_t> none;
    REQUIRE(summarize_latency(none).max_ms == 0);
}

TEST_CASE("median of repeats") {
    REQUIRE(median({3, 1, 2}) == 2);
    REQUIRE(median({4, 1, 3, 2}) == 2.5);
    REQUIRE(median({}) == 0);
}
