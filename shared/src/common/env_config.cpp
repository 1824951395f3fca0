#include "pulse/env_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace pulse::env {
namespace {
std::string trim(std::string s) {
    auto not_space = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}
}  // namespace

std::optional<std::string> get(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
}

std::string string_or(const char* name, std::string fallback) {
    auto v = get(name);
    return v ? *v : std::move(fallback);
}

std::int64_t parse_int(const std::string& name, const std::string& text, std::int64_t min,
                       std::int64_t max) {
    std::string s = trim(text);
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty())
        throw ConfigError(name + " must be a whole number, got '" + text + "'");
    if (out < min || out > max)
        throw ConfigError(name + " must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", got " + s);
    return out;
}

bool parse_bool(const std::string& name, const std::string& text) {
    std::string s = trim(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "on" || s == "true" || s == "1" || s == "yes") return true;
    if (s == "off" || s == "false" || s == "0" || s == "no") return false;
    throw ConfigError(name + " must be on or off, got '" + text + "'");
}

std::vector<std::string> parse_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string item = trim(text.substr(start, comma - start));
        if (!item.empty()) out.push_back(std::move(item));
        start = comma + 1;
    }
    return out;
}

std::int64_t int_or(const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    auto v = get(name);
    return v ? parse_int(name, *v, min, max) : fallback;
}

bool bool_or(const char* name, bool fallback) {
    auto v = get(name);
    return v ? parse_bool(name, *v) : fallback;
}

std::vector<std::string> list_or(const char* name, std::vector<std::string> fallback) {
    auto v = get(name);
    return v ? parse_list(*v) : fallback;
}

}  // namespace pulse::env
