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
    std::shared_ptr<const std::vector<std::string>> rooms;
    std::shared_ptr<const std::string> packet;
};

Broadcast make_broadcast(const envelope::Envelope& envelope);

}  // namespace pulse::bus
