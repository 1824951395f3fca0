#pragma once
// Typed reads of environment variables with defaults. A present but malformed value is a start-up
// error (ConfigError with a message naming the variable), never silently replaced by the default.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pulse::env {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parsers of one value, shared with the configuration table (pulse/config_table.hpp); `name` is
// only used in the error message.
std::int64_t parse_int(const std::string& name, const std::string& text, std::int64_t min,
                       std::int64_t max);
bool parse_bool(const std::string& name, const std::string& text);
std::vector<std::string> parse_list(const std::string& text);

std::optional<std::string> get(const char* name);
std::string string_or(const char* name, std::string fallback);
// Whole decimal number within [min, max].
std::int64_t int_or(const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max);
// on/off, true/false, 1/0, yes/no.
bool bool_or(const char* name, bool fallback);
// Comma-separated list, entries trimmed, empty entries dropped.
std::vector<std::string> list_or(const char* name, std::vector<std::string> fallback);

}  // namespace pulse::env
