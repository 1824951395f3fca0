// libFuzzer target: the Engine.IO payload decoder (everything a polling POST body goes through)
// and the WebSocket frame reader (everything a WebSocket peer sends). Neither may crash, hang or
// read out of bounds on any input; a decoded payload must survive a re-encode round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/packet.hpp"
#include "engine/ws_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (auto packets = pulse::engine::decode_payload(input)) {
        const auto again = pulse::engine::decode_payload(pulse::engine::encode_payload(*packets));
        if (!again || *again != *packets) std::abort();
    }
    pulse::engine::ws::Reader reader(4096);
    // Feed in two parts to exercise the incremental path.
    reader.feed(input.substr(0, size / 2));
    for (int i = 0; i < 1000 && reader.next(); ++i) {
    }
    reader.feed(input.substr(size / 2));
    for (int i = 0; i < 100000 && reader.next(); ++i) {
    }
    return 0;
}
