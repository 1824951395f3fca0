#include "bus/broadcast.hpp"

#include "parser/encoder.hpp"

namespace pulse::bus {

Broadcast make_broadcast(const envelope::Envelope& envelope) {
    Broadcast b;
    b.seq = envelope.seq;
    b.rooms = std::make_shared<const std::vector<std::string>>(envelope.rooms);
    const std::string data =
        envelope.data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    b.packet = std::make_shared<const std::string>(
        parser::encode_event_text("4", "/", envelope.event, data));
    return b;
}

}  // namespace pulse::bus
