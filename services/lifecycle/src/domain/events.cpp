#include "domain/events.hpp"

#include "pulse/stream_room.hpp"

namespace pulse::lifecycle {

EventToPublish new_stream_event(const StreamView& s, const std::string& timestamp) {
    EventToPublish e;
    e.event = kNewStreamEvent;
    e.rooms.push_back(stream_room(s.sender));
    if (s.receiver != s.sender) e.rooms.push_back(stream_room(s.receiver));
    e.data["streamId"] = s.stream_id;
    e.data["sender"] = s.sender;
    e.data["receiver"] = s.receiver;
    e.data["amount"] = s.amount;
    e.data["status"] = s.status;
    e.data["timestamp"] = timestamp;
    return e;
}

EventToPublish balance_update_event(const std::string& receiver, const std::string& new_balance,
                                    const std::string& timestamp) {
    EventToPublish e;
    e.event = kBalanceUpdateEvent;
    e.rooms.push_back(stream_room(receiver));
    e.data["address"] = receiver;
    e.data["newBalance"] = new_balance;
    e.data["timestamp"] = timestamp;
    return e;
}

}  // namespace pulse::lifecycle
