#include "engine/ws_frame.hpp"

#include "engine/base64.hpp"
#include "engine/sha1.hpp"
#include "pulse/utf8.hpp"

namespace pulse::engine::ws {

std::size_t encode_header(char* out, Opcode opcode, std::uint64_t size) {
    out[0] = static_cast<char>(0x80 | opcode);
    if (size < 126) {
        out[1] = static_cast<char>(size);
        return 2;
    }
    if (size <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<char>(size >> 8);
        out[3] = static_cast<char>(size);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(size >> (8 * (7 - i)));
    return 10;
}

std::string encode_frame(Opcode opcode, std::string_view payload) {
    char header[max_header_size];
    const std::size_t n = encode_header(header, opcode, payload.size());
    std::string out(header, n);
    out += payload;
    return out;
}

std::string encode_close_frame(std::uint16_t code, std::string_view reason) {
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload += reason.substr(0, 123);
    return encode_frame(Opcode::close, payload);
}

std::string accept_key(std::string_view client_key) {
    std::string input(client_key);
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 GUID
    const auto digest = sha1(input);
    return base64_encode(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

void Reader::feed(std::string_view bytes) {
    if (stopped_ || bytes.empty()) return;
    if (!pending_) pending_ = std::make_unique<Pending>();
    Pending& p = *pending_;
    // Compact lazily so that feeding many small chunks stays linear.
    if (p.offset > 0 && p.offset * 2 >= p.buffer.size()) {
        p.buffer.erase(0, p.offset);
        p.offset = 0;
    }
    p.buffer.append(bytes);
}

bool is_valid_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

std::optional<Event> Reader::fail(std::uint16_t code) {
    stopped_ = true;
    pending_.reset();
    return Event{Event::error, {}, code};
}

std::optional<FrameHeader> parse_header(std::string_view data, bool& invalid_length) {
    invalid_length = false;
    if (data.size() < 2) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(data[0]);
    const auto b1 = static_cast<unsigned char>(data[1]);
    FrameHeader h;
    h.fin = b0 & 0x80;
    h.rsv = (b0 >> 4) & 0x7;
    h.opcode = b0 & 0x0F;
    h.masked = b1 & 0x80;
    h.length = b1 & 0x7F;
    h.size = 2;
    if (h.length == 126) {
        if (data.size() < 4) return std::nullopt;
        h.length = (std::uint64_t(static_cast<unsigned char>(data[2])) << 8) |
                   static_cast<unsigned char>(data[3]);
        h.size = 4;
    } else if (h.length == 127) {
        if (data.size() < 10) return std::nullopt;
        h.length = 0;
        for (int i = 0; i < 8; ++i)
            h.length = (h.length << 8) | static_cast<unsigned char>(data[2 + i]);
        invalid_length = h.length >> 63;
        h.size = 10;
    }
    if (h.masked) {
        if (data.size() < h.size + 4) return std::nullopt;
        h.mask = reinterpret_cast<const unsigned char*>(data.data() + h.size);
        h.size += 4;
    }
    return h;
}

std::uint16_t Reader::check_header(const FrameHeader& h) const {
    if (h.rsv != 0) return close_protocol_error;  // no extension negotiated
    if (!h.masked) return close_protocol_error;   // clients must mask
    if (h.control()) {
        if (!h.fin || h.length > 125) return close_protocol_error;
        if (h.opcode != close && h.opcode != ping && h.opcode != pong) return close_protocol_error;
        return 0;
    }
    if (h.opcode != continuation && h.opcode != text && h.opcode != binary)
        return close_protocol_error;
    const bool in_message = pending_ && pending_->message_kind;
    if (h.opcode == continuation && !in_message) return close_protocol_error;
    if (h.opcode != continuation && in_message) return close_protocol_error;  // nested message
    // Refuse an oversized message as soon as its header says so, before buffering it.
    const std::size_t assembled = pending_ ? pending_->message.size() : 0;
    if (assembled + h.length > max_message_) return close_too_big;
    return 0;
}

void Reader::release_consumed() {
    // Clients send little (a join, a pong every pingInterval), so giving the memory back costs an
    // allocation or two per message, where keeping it cost every idle connection its buffer.
    Pending& p = *pending_;
    if (!p.message_kind) {
        pending_.reset();
    } else {  // a fragmented message is still being assembled
        p.buffer.clear();
        p.buffer.shrink_to_fit();
        p.offset = 0;
    }
}

std::optional<Event> Reader::next() {
    while (!stopped_ && pending_) {
        Pending& p = *pending_;
        const std::string_view data = std::string_view(p.buffer).substr(p.offset);
        if (data.empty()) {
            release_consumed();
            return std::nullopt;
        }
        bool invalid_length = false;
        const auto header = parse_header(data, invalid_length);
        if (invalid_length) return fail(close_protocol_error);
        if (!header) return std::nullopt;
        if (const std::uint16_t code = check_header(*header)) return fail(code);
        if (data.size() < header->size + header->length) return std::nullopt;

        std::string payload(data.substr(header->size, header->length));
        for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= header->mask[i & 3];
        p.offset += header->size + header->length;

        auto event = header->control() ? on_control(header->opcode, std::move(payload))
                                       : on_data(*header, std::move(payload));
        if (event) return event;
    }
    return std::nullopt;
}

std::optional<Event> Reader::on_control(std::uint8_t opcode, std::string payload) {
    if (opcode == ping) return Event{Event::ping, std::move(payload)};
    if (opcode == pong) return Event{Event::pong, std::move(payload)};
    // close: an optional 2-byte code, then an optional reason
    if (payload.size() == 1) return fail(close_protocol_error);
    std::uint16_t code = 1005;  // "no status received"
    std::string reason;
    if (payload.size() >= 2) {
        code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                          static_cast<unsigned char>(payload[1]));
        reason = payload.substr(2);
        if (!is_valid_close_code(code)) return fail(close_protocol_error);
        if (!utf8::is_valid(reason)) return fail(close_invalid_payload);
    }
    stopped_ = true;
    return Event{Event::close, std::move(reason), code};
}

std::optional<Event> Reader::on_data(const FrameHeader& header, std::string payload) {
    Pending& p = *pending_;
    if (header.opcode != continuation)
        p.message_kind = header.opcode == text ? Event::text : Event::binary;
    if (p.message.empty() && header.fin) {
        // Unfragmented: hand the payload over without copying it again.
        const Event::Kind kind = *p.message_kind;
        p.message_kind.reset();
        return complete_message(kind, std::move(payload));
    }
    p.message += payload;
    if (!header.fin) return std::nullopt;
    const Event::Kind kind = *p.message_kind;
    std::string message = std::move(p.message);
    p.message.clear();
    p.message_kind.reset();
    return complete_message(kind, std::move(message));
}

std::optional<Event> Reader::complete_message(Event::Kind kind, std::string message) {
    if (kind == Event::text && !utf8::is_valid(message)) return fail(close_invalid_payload);
    return Event{kind, std::move(message)};
}

}  // namespace pulse::engine::ws
