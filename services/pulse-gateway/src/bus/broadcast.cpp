#include "bus/broadcast.hpp"

#include "parser/encoder.hpp"

namespace pulse::bus {

Broadcast make_broadcast(const envelope::Envelope& envelope, bool with_offset) {
    Broadcast b;
    b.seq = envelope.seq;
    b.epoch = envelope.epoch;
    b.rooms = std::make_shared<const std::vector<std::string>>(envelope.rooms);
    std::string data =
        envelope.data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    if (with_offset) {
        // The arguments after the event name are written verbatim: data, then the offset.
        data += ',';
        data += nlohmann::json(envelope.epoch + ":" + std::to_string(envelope.seq)).dump();
    }
    b.packet = std::make_shared<const std::string>(
        parser::encode_event_text("4", "/", envelope.event, data));
    return b;
}

}  // namespace pulse::bus
