#pragma once
// A bus envelope turned into what the shards deliver: the Engine.IO text packet
// `42["event",data]`, encoded once on the bus thread and shared by every shard and socket, plus
// the rooms it goes to.
#include <memory>
#include <string>
#include <vector>

#include <pulse/envelope.hpp>

namespace pulse::bus {

struct Broadcast {
    std::int64_t seq = 0;
    std::string epoch;
    std::shared_ptr<const std::vector<std::string>> rooms;
    std::shared_ptr<const std::string> packet;
};

// With `with_offset`, the packet carries the event's offset "<epoch>:<seq>" as a last argument,
// as socket.io does for connection state recovery (the client keeps it as its last offset).
Broadcast make_broadcast(const envelope::Envelope& envelope, bool with_offset = false);

}  // namespace pulse::bus
