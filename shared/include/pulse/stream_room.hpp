#pragma once
// The room of a user address: "stream-{address}" (docs/protocol.md), shared by the lifecycle
// (which addresses events to rooms) and the gateway (which joins sockets to them).
#include <string>
#include <string_view>

namespace pulse {

inline constexpr std::string_view kStreamRoomPrefix = "stream-";

inline std::string stream_room(std::string_view address) {
    std::string room(kStreamRoomPrefix);
    room.append(address);
    return room;
}

}  // namespace pulse
