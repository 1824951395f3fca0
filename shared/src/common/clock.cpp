#include "pulse/clock.hpp"

#include <cstdio>
#include <ctime>

namespace pulse {

std::string iso8601_utc_millis(std::chrono::system_clock::time_point tp) {
    using namespace std::chrono;
    const auto ms_total = duration_cast<milliseconds>(tp.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms_total / 1000);
    int ms = static_cast<int>(ms_total % 1000);
    if (ms < 0) {  // before 1970: floor, not truncate
        ms += 1000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc_millis(std::string_view s) {
    // "YYYY-MM-DDTHH:MM:SS.mmmZ": 24 characters, digits where the format has them.
    static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (s.size() != shape.size()) return std::nullopt;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool digit = s[i] >= '0' && s[i] <= '9';
        if (shape[i] == 'd' ? !digit : s[i] != shape[i]) return std::nullopt;
    }
    auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
        return v;
    };
    std::tm tm{};
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(5, 2) - 1;
    tm.tm_mday = num(8, 2);
    tm.tm_hour = num(11, 2);
    tm.tm_min = num(14, 2);
    tm.tm_sec = num(17, 2);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return std::nullopt;
    const std::time_t secs = timegm(&tm);
    return std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(num(20, 3));
}

}  // namespace pulse
