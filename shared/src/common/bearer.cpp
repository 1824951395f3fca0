#include "pulse/bearer.hpp"

#include <cctype>

namespace pulse {

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size()) return {};
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return {};
    std::size_t start = scheme.size();
    if (authorization[start] != ' ') return {};
    while (start < authorization.size() && authorization[start] == ' ') ++start;
    std::size_t end = authorization.size();
    while (end > start && (authorization[end - 1] == ' ' || authorization[end - 1] == '\t')) --end;
    return authorization.substr(start, end - start);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    volatile unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool bearer_matches(std::string_view authorization, std::string_view expected) {
    if (expected.empty()) return false;
    return constant_time_equal(bearer_token(authorization), expected);
}

}  // namespace pulse
