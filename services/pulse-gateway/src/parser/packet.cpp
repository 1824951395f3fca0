#include "parser/packet.hpp"

#include <array>

namespace pulse::parser {

bool is_reserved_event(std::string_view name) {
    // The names socket.io uses for its own lifecycle callbacks; letting a peer emit them would let
    // it fake a "connect" or "disconnect" on the other side.
    static constexpr std::array<std::string_view, 6> reserved{
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
    for (auto r : reserved)
        if (r == name) return true;
    return false;
}

bool has_binary(const Json& data) {
    if (data.is_binary()) return true;
    if (data.is_array() || data.is_object()) {
        for (const auto& child : data)
            if (has_binary(child)) return true;
    }
    return false;
}

}  // namespace pulse::parser
