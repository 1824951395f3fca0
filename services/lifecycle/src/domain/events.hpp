#pragma once
// The two events the lifecycle publishes and who gets them (docs/protocol.md). Pure functions:
// payload key order is the documented one (streamId, sender, receiver, amount, status, timestamp).
#include <string>
#include <vector>

namespace pulse::lifecycle {

inline constexpr const char* kNewStreamEvent = "new-stream";
inline constexpr const char* kBalanceUpdateEvent = "balance-update";

struct EventToPublish {
    std::string event;
    std::vector<std::string> rooms;  // distinct
    std::string data;                // the payload: a JSON object, compact, documented key order
};

struct StreamView {
    std::string stream_id;
    std::string sender;
    std::string receiver;
    std::string amount;  // decimal string
    std::string status;  // ACTIVE | CANCELED
};

// new-stream to the sender's and the receiver's rooms (one room when they are the same address).
EventToPublish new_stream_event(const StreamView& stream, const std::string& timestamp);
// balance-update to the receiver's room.
EventToPublish balance_update_event(const std::string& receiver, const std::string& new_balance,
                                    const std::string& timestamp);

}  // namespace pulse::lifecycle
