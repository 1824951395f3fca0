#include "scenario.hpp"

namespace pulse::bench {

RoomPair rooms_for_event(std::uint64_t k, std::uint32_t rooms) {
    const auto a = static_cast<std::uint32_t>(k % rooms);
    // The partner shifts every full sweep, so over time each room meets many others.
    const std::uint64_t sweep = k / rooms;
    auto b = static_cast<std::uint32_t>((a + 1 + sweep % (rooms - 1)) % rooms);
    return RoomPair{a, b};
}

}  // namespace pulse::bench
