#include "pulse/utf8.hpp"

namespace pulse::utf8 {

std::size_t sequence_length(std::string_view text, std::size_t at) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    const unsigned char c = s[at];
    if (c < 0x80) return 1;
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return 0;  // continuation byte first, C0/C1 overlong, F5..FF
    }
    if (at + len > n) return 0;
    if (s[at + 1] < lo || s[at + 1] > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if ((s[at + k] & 0xC0) != 0x80) return 0;
    return len;
}

bool is_valid(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = sequence_length(text, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

}  // namespace pulse::utf8
