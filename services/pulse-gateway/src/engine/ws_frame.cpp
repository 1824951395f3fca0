#include "engine/ws_frame.hpp"

#include "engine/base64.hpp"
#include "engine/sha1.hpp"

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

std::optional<Event> Reader::fail(std::uint16_t code) {
    stopped_ = true;
    pending_.reset();
    return Event{Event::error, {}, code};
}

std::optional<Event> Reader::next() {
    while (!stopped_ && pending_) {
        Pending& p = *pending_;
        const std::string_view data = std::string_view(p.buffer).substr(p.offset);
        if (data.empty()) {
            // Everything consumed: an idle connection keeps no buffer from its last message.
            // Clients send little (a join, a pong every pingInterval), so giving the memory back
            // costs an allocation or two per message; keeping it cost ~170 bytes a connection.
            if (!p.message_kind) {
                pending_.reset();
            } else {  // a fragmented message is still being assembled
                p.buffer.clear();
                p.buffer.shrink_to_fit();
                p.offset = 0;
            }
            return std::nullopt;
        }
        if (data.size() < 2) return std::nullopt;
        const auto b0 = static_cast<unsigned char>(data[0]);
        const auto b1 = static_cast<unsigned char>(data[1]);
        const bool fin = b0 & 0x80;
        const std::uint8_t opcode = b0 & 0x0F;
        if (b0 & 0x70) return fail(close_protocol_error);     // no extension negotiated
        if (!(b1 & 0x80)) return fail(close_protocol_error);  // clients must mask
        std::uint64_t length = b1 & 0x7F;
        std::size_t header = 2;
        if (length == 126) {
            if (data.size() < 4) return std::nullopt;
            length = (std::uint64_t(static_cast<unsigned char>(data[2])) << 8) |
                     static_cast<unsigned char>(data[3]);
            header = 4;
        } else if (length == 127) {
            if (data.size() < 10) return std::nullopt;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | static_cast<unsigned char>(data[2 + i]);
            if (length >> 63) return fail(close_protocol_error);
            header = 10;
        }
        const bool control = opcode & 0x8;
        if (control && (!fin || length > 125)) return fail(close_protocol_error);
        if (!control && opcode != continuation && opcode != text && opcode != binary)
            return fail(close_protocol_error);
        if (control && opcode != close && opcode != ping && opcode != pong)
            return fail(close_protocol_error);
        // Refuse an oversized message as soon as its header says so, before buffering it.
        if (!control && p.message.size() + length > max_message_) return fail(close_too_big);
        if (data.size() < header + 4 + length) return std::nullopt;

        const unsigned char* mask = reinterpret_cast<const unsigned char*>(data.data() + header);
        std::string payload(data.substr(header + 4, length));
        for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= mask[i & 3];
        p.offset += header + 4 + length;

        if (control) {
            if (opcode == ping) return Event{Event::ping, std::move(payload)};
            if (opcode == pong) return Event{Event::pong, std::move(payload)};
            // close
            if (payload.size() == 1) return fail(close_protocol_error);
            std::uint16_t code = 1005;
            std::string reason;
            if (payload.size() >= 2) {
                code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                  static_cast<unsigned char>(payload[1]));
                reason = payload.substr(2);
            }
            stopped_ = true;
            return Event{Event::close, std::move(reason), code};
        }
        if (opcode == continuation) {
            if (!p.message_kind) return fail(close_protocol_error);
        } else {
            if (p.message_kind) return fail(close_protocol_error);  // new message inside one
            p.message_kind = opcode == text ? Event::text : Event::binary;
        }
        if (p.message.empty() && fin) {
            // Unfragmented: hand the payload over without copying it again.
            Event ev{*p.message_kind, std::move(payload)};
            p.message_kind.reset();
            return ev;
        }
        p.message += payload;
        if (fin) {
            Event ev{*p.message_kind, std::move(p.message)};
            p.message.clear();
            p.message_kind.reset();
            return ev;
        }
    }
    return std::nullopt;
}

}  // namespace pulse::engine::ws
