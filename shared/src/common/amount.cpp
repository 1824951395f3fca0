#include "pulse/amount.hpp"

#include <algorithm>

namespace pulse::amount {
namespace {
Parsed fail(std::string why) {
    return Parsed{std::nullopt, std::move(why)};
}
}  // namespace

Parsed parse(std::string_view text) {
    if (text.empty()) return fail("must not be empty");
    if (text.front() == '-') return fail("must not be negative");
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail(
            "must be a decimal string of digits (no sign, fraction, exponent, hex or spaces)");
    if (text.size() > 1 && text.front() == '0') return fail("must not have leading zeros");
    Amount value = 0;
    for (char c : text) {
        const int digit = c - '0';
        // value * 10 + digit <= kMax, checked without overflowing
        if (value > (kMax - digit) / 10) return fail("exceeds the i128 maximum");
        value = value * 10 + digit;
    }
    return Parsed{value, {}};
}

Parsed parse_json(const nlohmann::json& value) {
    if (value.is_null()) return fail("is required");
    if (value.is_number()) return fail("must be a decimal string, not a JSON number");
    if (!value.is_string()) return fail("must be a decimal string");
    return parse(value.get_ref<const std::string&>());
}

std::string format(Amount value) {
    if (value == 0) return "0";
    std::string digits;
    while (value > 0) {
        digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
        value /= 10;
    }
    std::reverse(digits.begin(), digits.end());
    return digits;
}

}  // namespace pulse::amount
