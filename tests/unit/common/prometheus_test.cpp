#include <catch2/catch.hpp>

#include "pulse/prometheus.hpp"

using namespace pulse::prom;

TEST_CASE("prometheus: counters and gauges with labels, one HELP/TYPE per family", "[prom]") {
    Registry r;
    auto& a = r.counter("pulse_x_total", "Things.", {{"reason", "a"}});
    auto& b = r.counter("pulse_x_total", "Things.", {{"reason", "b\"c\\d\ne"}});
    r.gauge_fn("pulse_sessions", "Sessions.", {{"transport", "polling"}}, [] { return 3.0; });
    a.inc();
    a.inc(2);
    b.inc();
    CHECK(r.text() ==
          "# HELP pulse_x_total Things.\n"
          "# TYPE pulse_x_total counter\n"
          "pulse_x_total{reason=\"a\"} 3\n"
          "pulse_x_total{reason=\"b\\\"c\\\\d\\ne\"} 1\n"
          "# HELP pulse_sessions Sessions.\n"
          "# TYPE pulse_sessions gauge\n"
          "pulse_sessions{transport=\"polling\"} 3\n");
}

TEST_CASE("prometheus: histogram buckets are cumulative with +Inf, sum and count", "[prom]") {
    Registry r;
    auto& h = r.histogram("pulse_d_seconds", "Durations.", {0.01, 0.1, 1});
    h.observe(0.005);
    h.observe(0.01);  // on a bound: counted in that bucket (le)
    h.observe(0.5);
    h.observe(7);
    CHECK(r.text() ==
          "# HELP pulse_d_seconds Durations.\n"
          "# TYPE pulse_d_seconds histogram\n"
          "pulse_d_seconds_bucket{le=\"0.01\"} 2\n"
          "pulse_d_seconds_bucket{le=\"0.1\"} 2\n"
          "pulse_d_seconds_bucket{le=\"1\"} 3\n"
          "pulse_d_seconds_bucket{le=\"+Inf\"} 4\n"
          "pulse_d_seconds_sum 7.515\n"
          "pulse_d_seconds_count 4\n");
}

TEST_CASE("prometheus: refused names, types and duplicates", "[prom]") {
    Registry r;
    CHECK_THROWS(r.counter("9lives_total", "x"));
    CHECK_THROWS(r.counter("has-dash_total", "x"));
    r.counter("pulse_y_total", "x");
    CHECK_THROWS(r.counter("pulse_y_total", "x"));
    CHECK_THROWS(r.gauge("pulse_y_total", "x", {{"a", "b"}}));
    CHECK_THROWS(r.histogram("pulse_h", "x", {1, 1}));
    Writer w;
    w.family("pulse_a", "gauge", "x");
    CHECK_THROWS(w.family("pulse_a", "gauge", "x"));
    CHECK_THROWS(w.family("pulse_b", "summary", "x"));
}

TEST_CASE("prometheus: values", "[prom]") {
    CHECK(Writer::format_value(0) == "0");
    CHECK(Writer::format_value(12345678901.0) == "12345678901");
    CHECK(Writer::format_value(0.25) == "0.25");
    CHECK(Writer::format_value(1.0 / 0.0) == "+Inf");
    CHECK(Writer::format_value(-1.0 / 0.0) == "-Inf");
}

TEST_CASE("prometheus: process metrics and build info read this process", "[prom]") {
    Registry r;
    add_process_metrics(r);
    add_build_info(r, "test");
    const auto text = r.text();
    for (const char* name :
         {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
          "process_max_fds ", "process_start_time_seconds ", "process_virtual_memory_bytes "})
        CHECK(text.find(std::string("\n") + name) != std::string::npos);
    CHECK(text.find("pulse_build_info{service=\"test\",version=\"") != std::string::npos);
    CHECK(text.find("\nprocess_resident_memory_bytes 0\n") == std::string::npos);
}
