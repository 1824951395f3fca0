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
    if (stopped_) return;
    // Compact lazily so that feeding many small chunks stays linear.
    if (offset_ > 0 && offset_ * 2 >= buffer_.size()) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<Event> Reader::fail(std::uint16_t code) {
    stopped_ = true;
    buffer_.clear();
    offset_ = 0;
    message_.clear();
    return Event{Event::error, {}, code};
}

std::optional<Event> Reader::next() {
    while (!stopped_) {
        const std::string_view data = std::string_view(buffer_).substr(offset_);
        if (data.empty()) {
            // Everything consumed: an idle connection keeps no buffer from its last message.
            // Clients send little (a join, a pong every pingInterval), so giving the block back
            // costs one small allocation per message; keeping it cost ~100 bytes per connection.
            buffer_.clear();
            offset_ = 0;
            buffer_.shrink_to_fit();
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
        if (!control && message_.size() + length > max_message_) return fail(close_too_big);
        if (data.size() < header + 4 + length) return std::nullopt;

        const unsigned char* mask = reinterpret_cast<const unsigned char*>(data.data() + header);
        std::string payload(data.substr(header + 4, length));
        for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= mask[i & 3];
        offset_ += header + 4 + length;

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
            if (!message_kind_) return fail(close_protocol_error);
        } else {
            if (message_kind_) return fail(close_protocol_error);  // new message inside one
            message_kind_ = opcode == text ? Event::text : Event::binary;
        }
        if (message_.empty() && fin) {
            // Unfragmented: hand the payload over without copying it again.
            Event ev{*message_kind_, std::move(payload)};
            message_kind_.reset();
            return ev;
        }
        message_ += payload;
        if (fin) {
            Event ev{*message_kind_, std::move(message_)};
            message_.clear();
            message_kind_.reset();
            return ev;
        }
    }
    return std::nullopt;
}

}  // namespace pulse::engine::ws
