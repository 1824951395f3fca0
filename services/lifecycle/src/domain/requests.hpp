#pragma once
// Validation of the /api/test/* bodies: pure functions from parsed JSON to typed commands.
// Each throws ClientError(400, ..., field) naming the first offending field.
#include <string>

#include <nlohmann/json.hpp>

#include "pulse/amount.hpp"

namespace pulse::lifecycle {

struct CreateStream {
    std::string stream_id;
    std::string sender;
    std::string receiver;
    amount::Amount amount = 0;
};

struct RegisterWithdrawal {
    std::string stream_id;
    amount::Amount amount = 0;
};

struct CancelStream {
    std::string stream_id;
    amount::Amount to_receiver = 0;
    amount::Amount to_sender = 0;
};

// Stream ids: 1 to 128 of [A-Za-z0-9._:-]. Ids travel into rooms, logs and other people's
// screens: nothing invisible, no bidirectional overrides (U+202E), no spaces, no quotes.
inline constexpr std::size_t kMaxStreamIdBytes = 128;
bool is_stream_id_char(unsigned char c);

CreateStream parse_create_stream(const nlohmann::json& body);
RegisterWithdrawal parse_withdrawal(const nlohmann::json& body);
CancelStream parse_cancellation(const nlohmann::json& body);

}  // namespace pulse::lifecycle
