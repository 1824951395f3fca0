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

TEST_CASE("/proc/stat per-core lines: busy includes softirq, not idle or iowait") {
    const std::string text =
        "cpu  30 0 20 100 5 1 4 0 0 0\n"
        "cpu0 10 0 10 50 5 1 4 0 0 0\n"
        "cpu1 20 0 10 50 0 0 0 0 0 0\n"
        "intr 12345 0 0\n"
        "ctxt 99\n";
    const auto cores = parse_core_ticks(text);
    REQUIRE(cores.size() == 2);
    CHECK(cores[0].busy == 25);  // 10 user + 10 system + 1 irq + 4 softirq
    CHECK(cores[0].total == 80);
    CHECK(cores[1].busy == 30);
    const std::vector<CoreTicks> later{{45, 100}, {30, 80}};
    const auto shares = core_busy_shares(cores, later);
    REQUIRE(shares.size() == 2);
    CHECK(shares[0] == Approx(1.0));  // 20 busy of 20
    CHECK(shares[1] == Approx(0.0));
    CHECK(core_busy_shares(cores, {}).empty());
    CHECK_FALSE(read_core_ticks().empty());
}
