#pragma once
// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-26T09:30:00.123Z","level":"info","svc":"gateway","msg":"listening","port":3000}
// The level comes from LOG_LEVEL (debug|info|warn|error, default info). Thread-safe: each line is
// formatted first and written with a single write(2), so lines from threads never interleave.
#include <nlohmann/json.hpp>
#include <string_view>

namespace pulse::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// Reads LOG_LEVEL (an unknown name keeps info) and names the service ("lifecycle", "gateway",
// ...). Call once from main(), first.
void init(std::string_view service);
// Throws std::invalid_argument for an unknown level name.
Level parse_level(std::string_view name);
void set_level(Level level);
bool enabled(Level level);

// `fields` must be a JSON object (or null); its keys are merged into the line.
void write(Level level, std::string_view msg, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view msg, const nlohmann::json& f = nullptr) {
    if (enabled(Level::debug)) write(Level::debug, msg, f);
}
inline void info(std::string_view msg, const nlohmann::json& f = nullptr) {
    write(Level::info, msg, f);
}
inline void warn(std::string_view msg, const nlohmann::json& f = nullptr) {
    write(Level::warn, msg, f);
}
inline void error(std::string_view msg, const nlohmann::json& f = nullptr) {
    write(Level::error, msg, f);
}

}  // namespace pulse::log
