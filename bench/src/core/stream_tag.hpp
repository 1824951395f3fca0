#pragma once
// What the bench carries inside `streamId`, which both servers echo verbatim in the delivered
// payload: the event's sequence number, its two rooms with the event's ordinal in each room (so a
// receiver can tell a duplicate from a new event with one bit per socket), and the monotonic send
// time in nanoseconds (latency needs no shared state between injector and receivers).
// Text form: "pb-<seq>-<roomA>-<ordA>-<roomB>-<ordB>-<sendNs>".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::bench {

struct StreamTag {
    std::uint64_t seq = 0;
    std::uint32_t room_a = 0;
    std::uint32_t ordinal_a = 0;
    std::uint32_t room_b = 0;
    std::uint32_t ordinal_b = 0;
    std::uint64_t send_ns = 0;
    bool operator==(const StreamTag&) const = default;
};

std::string format_stream_tag(const StreamTag& tag);
std::optional<StreamTag> parse_stream_tag(std::string_view text);

}  // namespace pulse::bench
