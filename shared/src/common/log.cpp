#include "pulse/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "pulse/clock.hpp"

namespace pulse::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::string g_service = "pulse";

const char* level_name(Level l) {
    static constexpr std::array<const char*, 4> names{"debug", "info", "warn", "error"};
    const auto index = static_cast<std::size_t>(l);  // Level's values are 0-3 in this order
    return index < names.size() ? names[index] : "info";
}
}  // namespace

Level parse_level(std::string_view name) {
    if (name == "debug") return Level::debug;
    if (name == "info") return Level::info;
    if (name == "warn" || name == "warning") return Level::warn;
    if (name == "error") return Level::error;
    throw std::invalid_argument("LOG_LEVEL must be one of debug, info, warn, error; got '" +
                                std::string(name) + "'");
}

void init(std::string_view service) {
    g_service = std::string(service);
    // Never throws: a bad LOG_LEVEL keeps "info" here, and the services' configuration table
    // (pulse/config_table.hpp) refuses it with one line and exit code 2.
    if (const char* v = std::getenv("LOG_LEVEL"); v && *v) {
        try {
            set_level(parse_level(v));
        } catch (const std::invalid_argument&) {
        }
    }
}

void set_level(Level level) {
    g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

bool enabled(Level level) {
    return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view msg, const nlohmann::json& fields) {
    if (!enabled(level)) return;
    nlohmann::ordered_json line;
    line["ts"] = now_iso8601();
    line["level"] = level_name(level);
    line["svc"] = g_service;
    line["msg"] = std::string(msg);
    if (fields.is_object())
        for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
    std::string out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back('\n');
    // One write(2) per line keeps lines whole across threads; a short write to stderr is ignored.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, out.data(), out.size());
}

}  // namespace pulse::log
