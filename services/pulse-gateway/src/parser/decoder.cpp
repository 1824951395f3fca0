#include "parser/decoder.hpp"

#include <cctype>

#include <pulse/json_depth.hpp>

#include "parser/flat_array.hpp"

namespace pulse::parser {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

TextDecodeResult fail(std::string why) {
    TextDecodeResult r;
    r.error = std::move(why);
    return r;
}

}  // namespace

namespace {

bool event_name_ok(const Json& first) {
    if (first.is_number()) return true;  // socket.io-parser accepts numeric event names
    return first.is_string() && !is_reserved_event(first.get_ref<const std::string&>());
}

// socket.io-parser's isPayloadValid.
bool payload_fits_type(PacketType type, const Json& payload) {
    switch (type) {
        case PacketType::connect:
            return payload.is_object();
        case PacketType::disconnect:
            return false;  // DISCONNECT carries nothing
        case PacketType::connect_error:
            return payload.is_object() || payload.is_string();
        case PacketType::event:
        case PacketType::binary_event:
            return payload.is_array() && !payload.empty() && event_name_ok(payload.front());
        case PacketType::ack:
        case PacketType::binary_ack:
            return payload.is_array();
    }
    return false;
}

bool is_placeholder(const Json& v) {
    if (!v.is_object()) return false;
    auto it = v.find("_placeholder");
    return it != v.end() && it->is_boolean() && it->get<bool>();
}

bool reconstruct_value(Json& v, std::vector<std::string>& attachments) {
    if (is_placeholder(v)) {
        auto num = v.find("num");
        if (num == v.end() || !num->is_number_integer()) return false;
        // Accept num only as an exact index; a float like 0.5 is not number_integer.
        const auto raw = num->get<std::int64_t>();
        if (raw < 0 || static_cast<std::uint64_t>(raw) >= attachments.size()) return false;
        const std::string& bytes = attachments[static_cast<std::size_t>(raw)];
        v = Json::binary(Json::binary_t::container_type(bytes.begin(), bytes.end()));
        return true;
    }
    if (v.is_array() || v.is_object()) {
        for (auto& child : v)
            if (!reconstruct_value(child, attachments)) return false;
    }
    return true;
}

}  // namespace

TextDecodeResult decode_text(std::string_view str, std::size_t max_attachments) {
    if (str.empty() || !is_digit(str[0]) || str[0] > '6') return fail("unknown packet type");
    Packet p;
    p.type = static_cast<PacketType>(str[0] - '0');
    std::size_t i = 1;
    std::size_t attachments = 0;

    if (p.type == PacketType::binary_event || p.type == PacketType::binary_ack) {
        const auto dash = str.find('-', i);
        if (dash == std::string_view::npos || dash == i || dash - i > 3)
            return fail("illegal attachments");
        for (std::size_t k = i; k < dash; ++k) {
            if (!is_digit(str[k])) return fail("illegal attachments");
            attachments = attachments * 10 + static_cast<std::size_t>(str[k] - '0');
        }
        if (attachments > max_attachments) return fail("too many attachments");
        i = dash + 1;
    }

    if (i < str.size() && str[i] == '/') {
        // The namespace runs to the next ',' (or the end, as socket.io-parser reads it).
        const auto comma = str.find(',', i);
        const auto end = comma == std::string_view::npos ? str.size() : comma;
        p.nsp = std::string(str.substr(i, end - i));
        i = comma == std::string_view::npos ? str.size() : comma + 1;
    }

    if (i < str.size() && is_digit(str[i])) {
        std::uint64_t id = 0;
        std::size_t digits = 0;
        while (i < str.size() && is_digit(str[i])) {
            // 2^53: beyond it a JavaScript peer could not represent the id anyway.
            if (++digits > 15) return fail("invalid ack id");
            id = id * 10 + static_cast<std::uint64_t>(str[i] - '0');
            ++i;
        }
        p.id = id;
    }

    if (i < str.size()) {
        const auto body = str.substr(i);
        Json payload;
        if (auto flat = parse_flat_string_array(body)) {
            payload = std::move(*flat);  // the common client event: no general parse needed
        } else {
            if (json_nesting_exceeds(body, kMaxJsonDepth)) return fail("payload nested too deeply");
            payload = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
            if (payload.is_discarded()) return fail("invalid payload");
        }
        if (!payload_fits_type(p.type, payload)) return fail("invalid payload");
        p.data = std::move(payload);
    }

    TextDecodeResult r;
    r.packet = std::move(p);
    r.attachments = attachments;
    return r;
}

bool reconstruct(Json& data, std::vector<std::string>& attachments) {
    return reconstruct_value(data, attachments);
}

Decoder::Result Decoder::add_text(std::string_view text) {
    Result r;
    if (pending_) {
        r.status = Result::Status::error;
        r.error = "got plaintext data when reconstructing a packet";
        return r;
    }
    auto decoded = decode_text(text, max_attachments_);
    if (!decoded) {
        r.status = Result::Status::error;
        r.error = std::move(decoded.error);
        return r;
    }
    const bool binary = decoded.packet->type == PacketType::binary_event ||
                        decoded.packet->type == PacketType::binary_ack;
    if (binary && decoded.attachments > 0) {
        pending_ = std::move(decoded.packet);
        expected_ = decoded.attachments;
        buffers_.clear();
        r.status = Result::Status::incomplete;
        return r;
    }
    if (binary && decoded.packet->data) {
        std::vector<std::string> none;
        if (!reconstruct(*decoded.packet->data, none)) {
            r.status = Result::Status::error;
            r.error = "illegal attachments";
            return r;
        }
    }
    r.status = Result::Status::packet;
    r.packet = std::move(decoded.packet);
    return r;
}

Decoder::Result Decoder::add_binary(std::string_view bytes) {
    Result r;
    if (!pending_) {
        r.status = Result::Status::error;
        r.error = "got binary data when not reconstructing a packet";
        return r;
    }
    buffers_.emplace_back(bytes);
    if (buffers_.size() < expected_) {
        r.status = Result::Status::incomplete;
        return r;
    }
    Packet packet = std::move(*pending_);
    pending_.reset();
    std::vector<std::string> buffers = std::move(buffers_);
    buffers_.clear();
    if (packet.data && !reconstruct(*packet.data, buffers)) {
        r.status = Result::Status::error;
        r.error = "illegal attachments";
        return r;
    }
    r.status = Result::Status::packet;
    r.packet = std::move(packet);
    return r;
}

}  // namespace pulse::parser
