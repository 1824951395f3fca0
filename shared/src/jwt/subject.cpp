#include "pulse/jwt/subject.hpp"

#include <charconv>
#include <cstdint>

#include "pulse/strkey.hpp"

namespace pulse::jwt {
namespace {

// SEP-10 memos are ID memos: a decimal uint64 without sign, leading zeros or spaces.
bool is_memo_id(std::string_view text) {
    if (text.empty() || text.size() > 20) return false;
    if (text.size() > 1 && text.front() == '0') return false;
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

}  // namespace

std::optional<Subject> parse_subject(std::string_view sub) {
    const auto colon = sub.find(':');
    const std::string_view address = sub.substr(0, colon);
    const auto check = strkey::check_address(address);
    if (!check) return std::nullopt;
    if (colon == std::string_view::npos) {
        if (*check.kind == strkey::Kind::contract) return std::nullopt;
        return Subject{std::string(address), {}};
    }
    const std::string_view memo = sub.substr(colon + 1);
    if (*check.kind != strkey::Kind::account || !is_memo_id(memo)) return std::nullopt;
    return Subject{std::string(address), std::string(memo)};
}

}  // namespace pulse::jwt
