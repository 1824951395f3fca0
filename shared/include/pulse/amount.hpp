#pragma once
// Token amounts: non-negative integers in stroops (Soroban amounts are i128), carried as decimal
// strings on every wire and stored as NUMERIC(39,0).
//
// Accepted grammar: "0" | [1-9][0-9]* with a value <= i128 max
// (170141183460469231731687303715884105727). Rejected: JSON numbers (precision is lost above 2^53
// in JavaScript clients), "", a sign ("-1",
// "+1"), a fraction ("1.5"), an exponent ("1e3"), hex ("0x10"), any whitespace (" 7"), and leading
// zeros ("007"): one value has exactly one spelling, so what is stored and echoed back is what the
// client sent, and nobody can mistake "010" for octal.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::amount {

using Amount = __int128;  // always >= 0 once parsed

inline constexpr Amount kMax = static_cast<Amount>((static_cast<unsigned __int128>(1) << 127) - 1);

struct Parsed {
    std::optional<Amount> value;
    std::string error;  // e.g. "must be a decimal string of digits"
    explicit operator bool() const { return value.has_value(); }
};

Parsed parse(std::string_view text);
// The wire form: only a JSON string is an amount.
Parsed parse_json(const nlohmann::json& value);

// Decimal digits, no sign (amount >= 0).
std::string format(Amount value);

}  // namespace pulse::amount
