#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pulse {

// ISO-8601 UTC with milliseconds, e.g. "2026-11-26T09:30:00.123Z" (the wire format of `timestamp`).
std::string iso8601_utc_millis(std::chrono::system_clock::time_point tp);
inline std::string now_iso8601() {
    return iso8601_utc_millis(std::chrono::system_clock::now());
}
// The inverse, for exactly that format; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc_millis(std::string_view s);

}  // namespace pulse
