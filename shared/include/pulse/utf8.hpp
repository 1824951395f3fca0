#pragma once
// Strict UTF-8 (RFC 3629, Unicode table 3-7): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF. What RFC 6455 requires of WebSocket text frames and
// close reasons, and what JSON text must hold (the bus envelope's canonical form).
#include <cstddef>
#include <string_view>

namespace pulse::utf8 {

// The length of the well-formed sequence that starts at `text[at]` (1 for ASCII, up to 4);
// 0 when it is ill-formed or cut off by the end of `text`.
std::size_t sequence_length(std::string_view text, std::size_t at);

bool is_valid(std::string_view text);

}  // namespace pulse::utf8
