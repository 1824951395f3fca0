// Fuzzes the bus envelope decoder (pulse::envelope::decode), what every gateway runs on every
// ZeroMQ message: it must never crash, and what it accepts must survive encode -> decode
// unchanged (the lifecycle's encoder and the gateways' decoder agree), and the hand-written
// encoder must give the bytes nlohmann's own dump gives for the same six keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pulse/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto first = pulse::envelope::decode(text);
    if (!first) return 0;
    const std::string again = pulse::envelope::encode(*first.envelope);
    const auto& e = *first.envelope;
    nlohmann::ordered_json tree;
    tree["v"] = e.v;
    tree["epoch"] = e.epoch;
    tree["seq"] = e.seq;
    tree["event"] = e.event;
    tree["rooms"] = e.rooms;
    tree["data"] = e.data;
    if (tree.dump() != again) __builtin_trap();
    auto second = pulse::envelope::decode(again);
    if (!second) __builtin_trap();
    if (pulse::envelope::encode(*second.envelope) != again) __builtin_trap();
    return 0;
}
