#pragma once
// Canonical JSON: the compact text nlohmann::ordered_json's dump() writes, and so what the
// lifecycle's json_text writer sends on the bus. Recognising it lets a gateway forward an event's
// data as the text it received, checked in one pass, instead of parsing it into a tree and
// dumping the tree again (a fifth of the gateway's CPU at 12,000 events/s, bench/RESULTS.md).
//
// Canonical here means: no whitespace; strings hold valid UTF-8 and no control character, with
// only the escapes dump() writes (\" \\ \b \f \n \r \t, and \u00xx in lowercase hex for the
// other control characters); integers only, without a leading zero or "-0", at most 18 digits;
// objects without a repeated key (and at most kMaxCanonicalKeys of them). For such text,
// nlohmann::ordered_json::parse(text).dump() == text, byte for byte. Text that is valid JSON but
// not canonical (a float, "\/", "\u00e9", a space, ...) is refused here; callers fall back to a
// full parser for it.
#include <cstddef>
#include <optional>
#include <string_view>

namespace pulse::json_canonical {

inline constexpr std::size_t kMaxCanonicalDepth = 64;
inline constexpr std::size_t kMaxCanonicalKeys = 32;

// The length of the canonical JSON value that starts `text` (text may go on after it); 0 when
// the start of `text` is not a canonical value, or nests deeper than kMaxCanonicalDepth.
std::size_t value_length(std::string_view text);

// The length of the string literal that starts `text`, quotes included, if it is canonical and
// holds no escape at all (its bytes between the quotes are then its value); else 0.
std::size_t plain_string_length(std::string_view text);

// In a canonical object, the value of the top-level member `key` when it is a string without
// escapes (e.g. a timestamp); nothing when absent, of another type, or escaped. `object` must be
// canonical (value_length(object) == object.size()); other text gives an unspecified answer.
std::optional<std::string_view> top_level_string(std::string_view object, std::string_view key);

}  // namespace pulse::json_canonical
