#include "pulse/json_text.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace pulse::json_text {

namespace {

constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Whether any of the 8 bytes of `word` is a control character (< 0x20), '"' or '\\': the only
// bytes a JSON string must escape. Bytes of 0x80 and above (UTF-8) never match. Exact for the
// word as a whole (not for which byte): a match sends the scan to the byte loop.
constexpr bool word_needs_escape(std::uint64_t word) {
    const auto has_zero_byte = [](std::uint64_t v) { return (v - kEveryByte) & ~v & kHighBits; };
    const std::uint64_t below_space = (word - kEveryByte * 0x20) & ~word & kHighBits;
    return (below_space | has_zero_byte(word ^ (kEveryByte * '"')) |
            has_zero_byte(word ^ (kEveryByte * '\\'))) != 0;
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t plain_from = 0;  // copy runs that need no escape in one append
    // Eight bytes a step while none needs an escape (most strings need none: this ran per
    // field of every command, event and answer, ~5 % of the lifecycle's CPU byte by byte).
    for (std::size_t i = 0; i < text.size();) {
        if (i + 8 <= text.size()) {
            std::uint64_t word;
            std::memcpy(&word, text.data() + i, sizeof word);
            if (!word_needs_escape(word)) {
                i += 8;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(text[i]);
        ++i;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text, plain_from, i - 1 - plain_from);
        plain_from = i;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
        }
    }
    out.append(text, plain_from, std::string_view::npos);
    out.push_back('"');
}

ObjectWriter::ObjectWriter(std::size_t reserve) {
    out_.reserve(reserve);
    out_.push_back('{');
}

void ObjectWriter::key(std::string_view key) {
    if (out_.size() > 1) out_.push_back(',');
    append_string(out_, key);
    out_.push_back(':');
}

ObjectWriter& ObjectWriter::string(std::string_view k, std::string_view value) {
    key(k);
    append_string(out_, value);
    return *this;
}

ObjectWriter& ObjectWriter::integer(std::string_view k, std::int64_t value) {
    key(k);
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    (void)ec;  // 24 bytes hold any int64
    out_.append(buf, end);
    return *this;
}

ObjectWriter& ObjectWriter::boolean(std::string_view k, bool value) {
    key(k);
    out_ += value ? "true" : "false";
    return *this;
}

ObjectWriter& ObjectWriter::raw(std::string_view k, std::string_view json) {
    key(k);
    out_ += json;
    return *this;
}

std::string ObjectWriter::finish() {
    out_.push_back('}');
    std::string done = std::move(out_);
    out_.clear();
    out_.push_back('{');
    return done;
}

}  // namespace pulse::json_text
