#pragma once
// Strict UTF-8 (RFC 3629): what RFC 6455 requires of text frames and close reasons. No overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
#include <string_view>

namespace pulse::engine {

bool is_valid_utf8(std::string_view text);

}  // namespace pulse::engine
