#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/proc_stats.hpp"

using namespace pulse::bench;

TEST_CASE("/proc/PID/stat with a command name holding spaces and parentheses") {
    const std::string stat =
        "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 11 0 100 "
        "1000000 2500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
    auto t = parse_proc_stat(stat);
    REQUIRE(t.has_value());
    REQUIRE(t->user == 1234);
    REQUIRE(t->system == 567);
    REQUIRE_FALSE(parse_proc_stat("4242 (short) S 1 2"));
}

TEST_CASE("/proc/PID/status memory lines") {
    const std::string status = "Name:\tnode\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
    REQUIRE(parse_status_kb(status, "VmRSS") == std::optional<std::uint64_t>(10240));
    REQUIRE(parse_status_kb(status, "VmHWM") == std::optional<std::uint64_t>(20480));
    REQUIRE_FALSE(parse_status_kb(status, "VmSwap"));
}

TEST_CASE("the live readers see this very process") {
    REQUIRE(process_rss_kb(getpid()).value_or(0) > 0);
    REQUIRE(process_cpu_seconds(getpid()).has_value());
}
