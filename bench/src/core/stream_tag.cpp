#include "stream_tag.hpp"

#include <charconv>

namespace pulse::bench {

std::string format_stream_tag(const StreamTag& t) {
    std::string s = "pb";
    for (std::uint64_t v : {t.seq, std::uint64_t{t.room_a}, std::uint64_t{t.ordinal_a},
                            std::uint64_t{t.room_b}, std::uint64_t{t.ordinal_b}, t.send_ns}) {
        s.push_back('-');
        s += std::to_string(v);
    }
    return s;
}

std::optional<StreamTag> parse_stream_tag(std::string_view text) {
    if (text.substr(0, 2) != "pb") return std::nullopt;
    std::uint64_t v[6];
    const char* p = text.data() + 2;
    const char* end = text.data() + text.size();
    for (auto& field : v) {
        if (p == end || *p != '-') return std::nullopt;
        ++p;
        auto [next, ec] = std::from_chars(p, end, field);
        if (ec != std::errc{} || next == p) return std::nullopt;
        p = next;
    }
    if (p != end) return std::nullopt;
    for (int i = 1; i <= 4; ++i) {
        if (v[i] > UINT32_MAX) return std::nullopt;
    }
    return StreamTag{v[0],
                     static_cast<std::uint32_t>(v[1]),
                     static_cast<std::uint32_t>(v[2]),
                     static_cast<std::uint32_t>(v[3]),
                     static_cast<std::uint32_t>(v[4]),
                     v[5]};
}

}  // namespace pulse::bench
