#include "pulse/json_canonical.hpp"

#include "pulse/utf8.hpp"

#include <array>
#include <cstdint>

namespace pulse::json_canonical {
namespace {

// A recursive-descent scanner over canonical JSON: each method returns the position after what
// it read, or kFail. Recursion is bounded by kMaxCanonicalDepth.
constexpr std::size_t kFail = static_cast<std::size_t>(-1);

bool in(unsigned char c, unsigned char lo, unsigned char hi) {
    return c >= lo && c <= hi;
}

bool lower_hex(unsigned char c) {
    return in(c, '0', '9') || in(c, 'a', 'f');
}

int hex_value(unsigned char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

class Scanner {
  public:
    explicit Scanner(std::string_view text) : s_(text) {}

    std::size_t value(std::size_t at, std::size_t depth) const {
        if (at >= s_.size()) return kFail;
        switch (s_[at]) {
            case '"':
                return string(at, true);
            case '{':
                return object(at, depth + 1);
            case '[':
                return array(at, depth + 1);
            case 't':
                return literal(at, "true");
            case 'f':
                return literal(at, "false");
            case 'n':
                return literal(at, "null");
            default:
                return number(at);
        }
    }

    // A string literal at `at`: well-formed UTF-8, no raw control character, and (when
    // `escapes`) only the escapes dump() writes; without `escapes`, none at all.
    std::size_t string(std::size_t at, bool escapes) const {
        std::size_t i = at + 1;
        const std::size_t n = s_.size();
        while (i < n) {
            const auto c = static_cast<unsigned char>(s_[i]);
            if (c == '"') return i + 1;
            if (c < 0x20) return kFail;
            if (c == '\\') {
                if (!escapes) return kFail;
                i = escape(i);
                if (i == kFail) return kFail;
                continue;
            }
            if (c < 0x80) {
                ++i;
                continue;
            }
            const std::size_t length = utf8::sequence_length(s_, i);
            if (length == 0) return kFail;
            i += length;
        }
        return kFail;
    }

  private:
    // One escape at `at` (the backslash): \" \\ \b \f \n \r \t, or \u00xx (lowercase hex) for a
    // control character that has no short form. dump() writes nothing else.
    std::size_t escape(std::size_t at) const {
        if (at + 1 >= s_.size()) return kFail;
        switch (s_[at + 1]) {
            case '"':
            case '\\':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                return at + 2;
            case 'u':
                break;
            default:
                return kFail;
        }
        if (at + 6 > s_.size()) return kFail;
        const auto h1 = static_cast<unsigned char>(s_[at + 4]);
        const auto h2 = static_cast<unsigned char>(s_[at + 5]);
        if (s_[at + 2] != '0' || s_[at + 3] != '0' || !lower_hex(h1) || !lower_hex(h2))
            return kFail;
        const int code = hex_value(h1) * 16 + hex_value(h2);
        if (code >= 0x20 || code == 0x08 || code == 0x09 || code == 0x0a || code == 0x0c ||
            code == 0x0d)
            return kFail;
        return at + 6;
    }

    // An integer as dump() writes it: 0, or an optional minus and 1-18 digits without a leading
    // zero (so that it fits int64 and uint64 alike). A fraction or exponent is not canonical.
    std::size_t number(std::size_t at) const {
        std::size_t i = at;
        const std::size_t n = s_.size();
        const bool negative = i < n && s_[i] == '-';
        if (negative) ++i;
        if (i >= n || !in(static_cast<unsigned char>(s_[i]), '0', '9')) return kFail;
        const std::size_t first = i;
        if (s_[i] == '0') {
            if (negative) return kFail;  // "-0" dumps as "0"
            ++i;
        } else {
            while (i < n && in(static_cast<unsigned char>(s_[i]), '0', '9')) ++i;
            if (i - first > 18) return kFail;
        }
        if (i < n && (s_[i] == '.' || s_[i] == 'e' || s_[i] == 'E' ||
                      in(static_cast<unsigned char>(s_[i]), '0', '9')))
            return kFail;
        return i;
    }

    std::size_t literal(std::size_t at, std::string_view word) const {
        return s_.substr(at, word.size()) == word ? at + word.size() : kFail;
    }

    std::size_t array(std::size_t at, std::size_t depth) const {
        if (depth > kMaxCanonicalDepth) return kFail;
        std::size_t i = at + 1;
        if (i < s_.size() && s_[i] == ']') return i + 1;
        for (;;) {
            i = value(i, depth);
            if (i == kFail || i >= s_.size()) return kFail;
            if (s_[i] == ']') return i + 1;
            if (s_[i] != ',') return kFail;
            ++i;
        }
    }

    // Keys are compared as written: with one spelling per character (canonical escapes), equal
    // text is equal keys. A repeated key is refused: dump() would write it once.
    std::size_t object(std::size_t at, std::size_t depth) const {
        if (depth > kMaxCanonicalDepth) return kFail;
        std::array<std::string_view, kMaxCanonicalKeys> keys;
        std::size_t count = 0;
        std::size_t i = at + 1;
        if (i < s_.size() && s_[i] == '}') return i + 1;
        for (;;) {
            if (i >= s_.size() || s_[i] != '"' || count == keys.size()) return kFail;
            const std::size_t key_end = string(i, true);
            if (key_end == kFail) return kFail;
            const std::string_view key = s_.substr(i, key_end - i);
            for (std::size_t k = 0; k < count; ++k)
                if (keys[k] == key) return kFail;
            keys[count++] = key;
            i = key_end;
            if (i >= s_.size() || s_[i] != ':') return kFail;
            i = value(i + 1, depth);
            if (i == kFail || i >= s_.size()) return kFail;
            if (s_[i] == '}') return i + 1;
            if (s_[i] != ',') return kFail;
            ++i;
        }
    }

    std::string_view s_;
};

}  // namespace

std::size_t value_length(std::string_view text) {
    const std::size_t end = Scanner(text).value(0, 0);
    return end == kFail ? 0 : end;
}

std::size_t plain_string_length(std::string_view text) {
    if (text.empty() || text[0] != '"') return 0;
    const std::size_t end = Scanner(text).string(0, false);
    return end == kFail ? 0 : end;
}

std::optional<std::string_view> top_level_string(std::string_view object, std::string_view key) {
    // Walks the members of a canonical object: each key is a string, each value is skipped by
    // the same scanner (it succeeds on canonical text).
    const Scanner scan(object);
    if (object.size() < 2 || object[0] != '{') return std::nullopt;
    std::size_t i = 1;
    while (i < object.size() && object[i] == '"') {
        const std::size_t key_end = scan.string(i, true);
        if (key_end == kFail || key_end >= object.size()) return std::nullopt;
        const std::string_view name = object.substr(i + 1, key_end - i - 2);
        const std::size_t value_at = key_end + 1;
        const std::size_t value_end = scan.value(value_at, 1);
        if (value_end == kFail) return std::nullopt;
        if (name == key) {
            if (object[value_at] != '"') return std::nullopt;
            const std::string_view value = object.substr(value_at + 1, value_end - value_at - 2);
            if (value.find('\\') != std::string_view::npos) return std::nullopt;
            return value;
        }
        if (value_end >= object.size() || object[value_end] != ',') return std::nullopt;
        i = value_end + 1;
    }
    return std::nullopt;
}

}  // namespace pulse::json_canonical
