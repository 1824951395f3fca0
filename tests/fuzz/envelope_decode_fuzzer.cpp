// Fuzzes the bus envelope decoders, what every gateway runs on every ZeroMQ message.
//  - decode() must never crash, and what it accepts must survive encode -> decode unchanged (the
//    lifecycle's encoder and the gateways' decoder agree), and the hand-written encoder must give
//    the bytes nlohmann's own dump gives for the same six keys.
//  - decode_raw() (data kept as text, read in one scan when canonical) must answer exactly what
//    decode() answers: the same verdict, error, fields, and data.dump() as its data text. It is
//    run on the input as an envelope, and on the input as the data of an envelope in encode()'s
//    form, so that the canonical scanner sees arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pulse/envelope.hpp"
#include "pulse/json_canonical.hpp"

namespace {

void same_answer(std::string_view text) {
    const auto full = pulse::envelope::decode(text);
    const auto raw = pulse::envelope::decode_raw(text);
    if (bool(full) != bool(raw)) __builtin_trap();
    if (!full) {
        if (full.error != raw.error) __builtin_trap();
        return;
    }
    const auto& a = *full.envelope;
    const auto& b = *raw.envelope;
    if (a.v != b.v || a.epoch != b.epoch || a.seq != b.seq || a.event != b.event ||
        a.rooms != b.rooms || a.data.dump() != b.data_json)
        __builtin_trap();
    // In canonical data (floats, for one, are not), a timestamp found without a parse is the
    // one the tree holds.
    if (pulse::json_canonical::value_length(b.data_json) != b.data_json.size()) return;
    const auto ts = pulse::json_canonical::top_level_string(b.data_json, "timestamp");
    const auto it = a.data.find("timestamp");
    if (ts && (it == a.data.end() || !it->is_string() || it->get<std::string>() != *ts))
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    same_answer(text);
    same_answer(R"({"v":1,"epoch":"e","seq":1,"event":"x","rooms":["r"],"data":)" +
                std::string(text) + "}");
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
    same_answer(again);
    return 0;
}
