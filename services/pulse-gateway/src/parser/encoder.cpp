#include "parser/encoder.hpp"

namespace pulse::parser {
namespace {

// Never throws: a string that is not valid UTF-8 (only possible from our own code, the decoder
// rejects it on input) is written with U+FFFD instead of aborting the connection.
void append_json(std::string& out, const Json& value) {
    out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// socket.io-parser's deconstructPacket: binary values become placeholders, bytes go aside.
Json deconstruct(const Json& value, std::vector<std::string>& attachments) {
    if (value.is_binary()) {
        const auto& bytes = value.get_binary();
        Json placeholder = Json::object();
        placeholder["_placeholder"] = true;
        placeholder["num"] = attachments.size();
        attachments.emplace_back(bytes.begin(), bytes.end());
        return placeholder;
    }
    if (value.is_array()) {
        Json out = Json::array();
        for (const auto& child : value) out.push_back(deconstruct(child, attachments));
        return out;
    }
    if (value.is_object()) {
        Json out = Json::object();
        for (auto it = value.begin(); it != value.end(); ++it)
            out[it.key()] = deconstruct(it.value(), attachments);
        return out;
    }
    return value;
}

bool is_binary_type(PacketType t) {
    return t == PacketType::binary_event || t == PacketType::binary_ack;
}

}  // namespace

std::vector<std::string> encode_into(std::string& out, const Packet& packet) {
    std::vector<std::string> attachments;
    PacketType type = packet.type;
    const Json* data = packet.data ? &*packet.data : nullptr;
    Json stripped;
    if (data && (type == PacketType::event || type == PacketType::ack || is_binary_type(type)) &&
        has_binary(*data)) {
        stripped = deconstruct(*data, attachments);
        data = &stripped;
        if (type == PacketType::event) type = PacketType::binary_event;
        if (type == PacketType::ack) type = PacketType::binary_ack;
    }
    out += static_cast<char>('0' + static_cast<int>(type));
    if (is_binary_type(type)) {
        out += std::to_string(attachments.size());
        out += '-';
    }
    if (!packet.nsp.empty() && packet.nsp != "/") {
        out += packet.nsp;
        out += ',';
    }
    if (packet.id) out += std::to_string(*packet.id);
    if (data) append_json(out, *data);
    return attachments;
}

Encoded encode(const Packet& packet) {
    Encoded e;
    e.attachments = encode_into(e.text, packet);
    return e;
}

std::string encode_event_text(std::string_view prefix, std::string_view nsp, std::string_view event,
                              std::string_view data_json) {
    std::string out;
    const std::string quoted =
        Json(std::string(event)).dump(-1, ' ', false, Json::error_handler_t::replace);
    out.reserve(prefix.size() + nsp.size() + quoted.size() + data_json.size() + 5);
    out += prefix;
    out += '2';
    if (!nsp.empty() && nsp != "/") {
        out += nsp;
        out += ',';
    }
    out += '[';
    out += quoted;
    out += ',';
    out += data_json;
    out += ']';
    return out;
}

}  // namespace pulse::parser
