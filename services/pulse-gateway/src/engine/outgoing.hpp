#pragma once
// One queued outbound Engine.IO packet. Text packets are complete (type digit included) and shared
// with every other socket receiving the same broadcast; binary ones are raw bytes.
#include <memory>
#include <string>

namespace pulse::engine {

struct Outgoing {
    std::shared_ptr<const std::string> data;
    bool binary = false;
};

}  // namespace pulse::engine
