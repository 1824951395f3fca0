#pragma once
#include <chrono>
#include <string>

namespace pulse {

// ISO-8601 UTC with milliseconds, e.g. "2026-11-26T09:30:00.123Z" (the wire format of `timestamp`).
std::string iso8601_utc_millis(std::chrono::system_clock::time_point tp);
inline std::string now_iso8601() {
    return iso8601_utc_millis(std::chrono::system_clock::now());
}

}  // namespace pulse
