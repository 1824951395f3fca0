// Fuzzes the WebSocket frame reader (ws::Reader): arbitrary client bytes, fed in chunks whose
// size the first input byte picks, must end in events, a clean close, or an error with a close
// code the reader documents (1002, 1007, 1009); a text message it accepts is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/ws_frame.hpp"
#include "pulse/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 64;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    using namespace pulse::engine;
    ws::Reader reader(4096);
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        reader.feed(bytes.substr(at, chunk));
        while (auto ev = reader.next()) {
            if (ev->kind == ws::Event::error) {
                if (ev->code != ws::close_protocol_error && ev->code != ws::close_invalid_payload &&
                    ev->code != ws::close_too_big)
                    __builtin_trap();
                return 0;
            }
            if (ev->kind == ws::Event::text && !pulse::utf8::is_valid(ev->payload))
                __builtin_trap();
            if (ev->kind == ws::Event::close) return 0;
        }
    }
    return 0;
}
