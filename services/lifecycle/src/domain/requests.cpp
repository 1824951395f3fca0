#include "domain/requests.hpp"

#include "domain/client_error.hpp"
#include "pulse/strkey.hpp"

namespace pulse::lifecycle {
namespace {

const nlohmann::json& require_object(const nlohmann::json& body) {
    if (!body.is_object()) throw ClientError(400, "request body must be a JSON object");
    return body;
}

const nlohmann::json* field_of(const nlohmann::json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string stream_id_of(const nlohmann::json& body) {
    const auto* v = field_of(body, "streamId");
    if (!v) throw ClientError(400, "streamId is required", "streamId");
    if (!v->is_string()) throw ClientError(400, "streamId must be a string", "streamId");
    const auto& s = v->get_ref<const std::string&>();
    if (s.empty()) throw ClientError(400, "streamId must not be empty", "streamId");
    if (s.size() > kMaxStreamIdBytes)
        throw ClientError(400, "streamId must be at most 128 bytes", "streamId");
    for (unsigned char c : s)
        if (!is_stream_id_char(c))
            throw ClientError(400, "streamId may contain only letters A-Z a-z, digits and . _ : -",
                              "streamId");
    return s;
}

std::string address_of(const nlohmann::json& body, const char* name) {
    const auto* v = field_of(body, name);
    if (!v) throw ClientError(400, std::string(name) + " is required", name);
    if (!v->is_string())
        throw ClientError(400, std::string(name) + " must be a Stellar address string", name);
    const auto& s = v->get_ref<const std::string&>();
    auto check = strkey::check_address(s);
    if (!check)
        throw ClientError(
            400, std::string(name) + " is not a valid Stellar address (" + check.error + ")", name);
    return s;
}

amount::Amount amount_of(const nlohmann::json& body, const char* name) {
    const auto* v = field_of(body, name);
    if (!v) throw ClientError(400, std::string(name) + " is required", name);
    auto parsed = amount::parse_json(*v);
    if (!parsed) throw ClientError(400, std::string(name) + " " + parsed.error, name);
    return *parsed.value;
}

}  // namespace

bool is_stream_id_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

CreateStream parse_create_stream(const nlohmann::json& body) {
    require_object(body);
    CreateStream c;
    c.stream_id = stream_id_of(body);
    c.sender = address_of(body, "sender");
    c.receiver = address_of(body, "receiver");
    c.amount = amount_of(body, "amount");
    return c;
}

RegisterWithdrawal parse_withdrawal(const nlohmann::json& body) {
    require_object(body);
    RegisterWithdrawal w;
    w.stream_id = stream_id_of(body);
    w.amount = amount_of(body, "amount");
    if (w.amount == 0) throw ClientError(400, "amount must be greater than 0", "amount");
    return w;
}

CancelStream parse_cancellation(const nlohmann::json& body) {
    require_object(body);
    CancelStream c;
    c.stream_id = stream_id_of(body);
    c.to_receiver = amount_of(body, "toReceiver");
    c.to_sender = amount_of(body, "toSender");
    return c;
}

}  // namespace pulse::lifecycle
