#pragma once
// How connections map to rooms and events to room pairs, shared by the injectors and the checks.
// Connection i joins room i % rooms, so rooms have equal sizes (room_size sockets each), and each
// socket is in exactly one room: a socket receiving an event for a room it is not in is misrouted.
#include <cstdint>

namespace pulse::bench {

struct RoomPair {
    std::uint32_t a = 0;
    std::uint32_t b = 0;  // always != a: Node's reference emits twice to a socket in both rooms
};

// Event k's sender and receiver rooms; spreads events evenly over all rooms (rooms >= 2).
RoomPair rooms_for_event(std::uint64_t k, std::uint32_t rooms);

inline std::uint32_t room_of_connection(std::uint32_t connection, std::uint32_t rooms) {
    return connection % rooms;
}

}  // namespace pulse::bench
