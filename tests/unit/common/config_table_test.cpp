#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>

#include "pulse/config_table.hpp"
#include "pulse/env_config.hpp"

using pulse::config::Table;
using pulse::env::ConfigError;

namespace {
struct Settings {
    std::uint16_t port = 0;
    std::chrono::milliseconds ping{0};
    bool test_endpoints = false;
    std::vector<std::string> origins;
    std::string url;
    std::string secret;
    std::size_t threads = 0;
};

Table declare(Settings& s) {
    Table t("pulse-test", "a service under test");
    t.port("PORT", s.port, 3000, "Port to listen on.")
        .millis("PING_INTERVAL_MS", s.ping, 25000, 1, 3600000, "Ping every this many ms.")
        .flag("PULSE_TEST_ENDPOINTS", s.test_endpoints, true, "Serve /api/test/*.")
        .list("FRONTEND_URL", s.origins, "http://localhost:5173", "Allowed origins | CORS.",
              pulse::config::require_url_with_scheme)
        .text("PULSE_REPLAY_URL", s.url, "", "Replay base URL.")
        .secret("DATABASE_URL", s.secret, "libpq URL.", true)
        .size("IO_THREADS", s.threads, 2, 1, 64, "Threads.");
    return t;
}

pulse::config::Getter from(std::map<std::string, std::string> m) {
    return [m](const std::string& name) -> std::optional<std::string> {
        auto it = m.find(name);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}

std::string load_error(std::map<std::string, std::string> m) {
    Settings s;
    auto t = declare(s);
    try {
        t.load(from(std::move(m)));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("config table: defaults go through the parsers", "[config]") {
    Settings s;
    auto t = declare(s);
    t.load(from({{"DATABASE_URL", "postgresql://u:pw@h/db"}}));
    CHECK(s.port == 3000);
    CHECK(s.ping == std::chrono::milliseconds(25000));
    CHECK(s.test_endpoints);
    CHECK(s.origins == std::vector<std::string>{"http://localhost:5173"});
    CHECK(s.url.empty());
    CHECK(s.secret == "postgresql://u:pw@h/db");
    CHECK(s.threads == 2);
}

TEST_CASE("config table: values from the environment", "[config]") {
    Settings s;
    auto t = declare(s);
    t.load(from({{"DATABASE_URL", "x"},
                 {"PORT", "0"},
                 {"PULSE_TEST_ENDPOINTS", "off"},
                 {"FRONTEND_URL", " https://a.example , http://b.example:8080 ,"}}));
    CHECK(s.port == 0);
    CHECK_FALSE(s.test_endpoints);
    CHECK(s.origins == std::vector<std::string>{"https://a.example", "http://b.example:8080"});
}

TEST_CASE("config table: a bad or missing value is one line naming the variable", "[config]") {
    CHECK(load_error({}) == "DATABASE_URL is required (libpq URL.)");
    CHECK(load_error({{"DATABASE_URL", "x"}, {"PORT", "70000"}}) ==
          "PORT must be between 0 and 65535, got 70000");
    CHECK(load_error({{"DATABASE_URL", "x"}, {"PORT", "3k"}}) ==
          "PORT must be a whole number, got '3k'");
    CHECK(load_error({{"DATABASE_URL", "x"}, {"PULSE_TEST_ENDPOINTS", "maybe"}}) ==
          "PULSE_TEST_ENDPOINTS must be on or off, got 'maybe'");
    CHECK(load_error({{"DATABASE_URL", "x"}, {"FRONTEND_URL", "app.example.com"}}) ==
          "FRONTEND_URL: entry 'app.example.com' needs a scheme, e.g. https://app.example.com");
    CHECK(load_error({{"DATABASE_URL", "x"}, {"FRONTEND_URL", "https://a.example/app"}}) ==
          "FRONTEND_URL: entry 'https://a.example/app' must not have a path");
    for (const auto& e : {load_error({{"DATABASE_URL", "x"}, {"IO_THREADS", "0"}}),
                          load_error({{"DATABASE_URL", "x"}, {"PING_INTERVAL_MS", "-1"}})})
        CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("config table: the effective configuration masks secrets", "[config]") {
    Settings s;
    auto t = declare(s);
    t.load(from({{"DATABASE_URL", "postgresql://u:hunter2@h/db"}, {"PORT", "4000"}}));
    const auto e = t.effective();
    CHECK(e["DATABASE_URL"] == "(set)");
    CHECK(e["PORT"] == "4000");
    CHECK(e["PING_INTERVAL_MS"] == "25000");
    CHECK(e.dump().find("hunter2") == std::string::npos);
}

TEST_CASE("config table: unknown PULSE_* variables", "[config]") {
    Settings s;
    auto t = declare(s);
    CHECK(t.unknown({"PATH", "PORT", "PULSE_TEST_ENDPOINTS", "PULSE_TEST_ENDPOINT", "PULSE_X"}) ==
          std::vector<std::string>{"PULSE_TEST_ENDPOINT", "PULSE_X"});
}

TEST_CASE("config table: --help and the Markdown table list every variable", "[config]") {
    Settings s;
    auto t = declare(s);
    const auto help = t.help_text();
    const auto md = t.markdown();
    for (const auto& v : t.variables()) {
        CHECK(help.find(v.name) != std::string::npos);
        CHECK(md.find("| `" + v.name + "` |") != std::string::npos);
    }
    CHECK(md.find("| `PORT` | `3000` | Port to listen on. |") != std::string::npos);
    CHECK(md.find("| `DATABASE_URL` | (required) | libpq URL. Secret: never logged. |") !=
          std::string::npos);
    CHECK(md.find("Allowed origins \\| CORS.") != std::string::npos);
    CHECK(help.find(pulse::config::version()) != std::string::npos);
}

TEST_CASE("config table: a variable declared twice is a programming error", "[config]") {
    Settings s;
    auto t = declare(s);
    CHECK_THROWS_AS(t.port("PORT", s.port, 1, "again"), std::logic_error);
}

TEST_CASE("config table: log level and CPUs", "[config]") {
    CHECK_THROWS_WITH(pulse::config::require_log_level("bogus"),
                      Catch::Contains("LOG_LEVEL must be one of"));
    CHECK_NOTHROW(pulse::config::require_log_level("info"));
    CHECK(pulse::config::usable_cpus() >= 1);
}

TEST_CASE("config table: usable CPUs follow the cgroup v2 quota", "[config]") {
    const std::size_t affinity = pulse::config::usable_cpus("/nonexistent/cpu.max");
    REQUIRE(affinity >= 1);
    char path[] = "/tmp/pulse-cpu-max-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    auto quota = [&](const char* text) {
        std::ofstream(path, std::ios::trunc) << text;
        return pulse::config::usable_cpus(path);
    };
    CHECK(quota("max 100000\n") == affinity);
    CHECK(quota("150000 100000\n") == std::min<std::size_t>(affinity, 2));  // 1.5 CPUs: 2
    CHECK(quota("50000 100000\n") == 1);                                    // half a CPU: 1
    CHECK(quota("garbage\n") == affinity);
    ::close(fd);
    ::unlink(path);
}

#include "pulse/clock.hpp"

TEST_CASE("clock: the wire timestamp parses back", "[clock]") {
    const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764500000123));
    const auto text = pulse::iso8601_utc_millis(t);
    CHECK(pulse::parse_iso8601_utc_millis(text) == t);
    CHECK_FALSE(pulse::parse_iso8601_utc_millis("2026-11-30T22:00:00Z"));
    CHECK_FALSE(pulse::parse_iso8601_utc_millis("2026-13-30T22:00:00.000Z"));
    CHECK_FALSE(pulse::parse_iso8601_utc_millis("2026-11-30 22:00:00.000Z"));
}
