#include "parser/flat_array.hpp"

namespace pulse::parser {

std::optional<Json> parse_flat_string_array(std::string_view text) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return std::nullopt;
    Json out = Json::array();
    std::size_t i = 1;
    const std::size_t end = text.size() - 1;  // the closing ']'
    if (i == end) return out;
    for (;;) {
        if (text[i] != '"') return std::nullopt;
        const std::size_t begin = ++i;
        while (i < end && text[i] != '"') {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
            ++i;
        }
        if (i >= end) return std::nullopt;  // unterminated before the closing ']'
        out.push_back(std::string(text.substr(begin, i - begin)));
        ++i;  // past the closing quote
        if (i == end) return out;
        if (text[i] != ',') return std::nullopt;
        ++i;
    }
}

}  // namespace pulse::parser
