#include "domain/events.hpp"

#include "pulse/json_text.hpp"
#include "pulse/stream_room.hpp"

namespace pulse::lifecycle {

EventToPublish new_stream_event(const StreamView& s, const std::string& timestamp) {
    EventToPublish e;
    e.event = kNewStreamEvent;
    e.rooms.push_back(stream_room(s.sender));
    if (s.receiver != s.sender) e.rooms.push_back(stream_room(s.receiver));
    // Written as text once: the same bytes go in the HTTP answer and on the bus.
    e.data = json_text::ObjectWriter(256)
                 .string("streamId", s.stream_id)
                 .string("sender", s.sender)
                 .string("receiver", s.receiver)
                 .string("amount", s.amount)
                 .string("status", s.status)
                 .string("timestamp", timestamp)
                 .finish();
    return e;
}

EventToPublish balance_update_event(const std::string& receiver, const std::string& new_balance,
                                    const std::string& timestamp) {
    EventToPublish e;
    e.event = kBalanceUpdateEvent;
    e.rooms.push_back(stream_room(receiver));
    e.data = json_text::ObjectWriter(160)
                 .string("address", receiver)
                 .string("newBalance", new_balance)
                 .string("timestamp", timestamp)
                 .finish();
    return e;
}

}  // namespace pulse::lifecycle
