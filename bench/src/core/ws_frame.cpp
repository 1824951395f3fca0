#include "ws_frame.hpp"

namespace pulse::bench::ws {

namespace {

void append_header(std::string& out, Opcode opcode, std::size_t n, bool masked) {
    const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
    out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
    if (n < 126) {
        out.push_back(static_cast<char>(mask_bit | n));
    } else if (n <= 0xFFFF) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
    }
}

// One frame header; `masked` is what this side must receive (clients mask, servers do not).
FrameHeader parse_frame(std::string_view data, std::size_t max_payload, bool masked) {
    FrameHeader h;
    if (data.size() < 2) return h;
    const auto b0 = static_cast<std::uint8_t>(data[0]);
    const auto b1 = static_cast<std::uint8_t>(data[1]);
    if (b0 & 0x70) {
        h.status = FrameHeader::Status::error;
        h.error = "reserved bits set (no extension was negotiated)";
        return h;
    }
    if (((b1 & 0x80) != 0) != masked) {
        h.status = FrameHeader::Status::error;
        h.error = masked ? "unmasked frame from client" : "masked frame from server";
        return h;
    }
    h.fin = (b0 & 0x80) != 0;
    h.opcode = static_cast<Opcode>(b0 & 0x0F);
    std::size_t len = b1 & 0x7F;
    std::size_t pos = 2;
    if (len == 126) {
        if (data.size() < 4) return h;
        len = (static_cast<std::size_t>(static_cast<std::uint8_t>(data[2])) << 8) |
              static_cast<std::uint8_t>(data[3]);
        pos = 4;
    } else if (len == 127) {
        if (data.size() < 10) return h;
        if (static_cast<std::uint8_t>(data[2]) & 0x80) {
            h.status = FrameHeader::Status::error;
            h.error = "64-bit length with the most significant bit set";
            return h;
        }
        std::uint64_t l = 0;
        for (int i = 2; i < 10; ++i) l = (l << 8) | static_cast<std::uint8_t>(data[i]);
        len = static_cast<std::size_t>(l);
        pos = 10;
    }
    if (len > max_payload) {
        h.status = FrameHeader::Status::error;
        h.error = "frame larger than the client's limit";
        return h;
    }
    if (masked) pos += 4;
    h.header_size = pos;
    h.payload_size = len;
    if (data.size() < pos || data.size() - pos < len) return h;
    h.status = FrameHeader::Status::ok;
    return h;
}

}  // namespace

void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         std::array<std::uint8_t, 4> mask) {
    append_header(out, opcode, payload.size(), true);
    for (auto m : mask) out.push_back(static_cast<char>(m));
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ mask[i & 3]));
    }
}

void append_server_frame(std::string& out, Opcode opcode, std::string_view payload) {
    append_header(out, opcode, payload.size(), false);
    out.append(payload);
}

FrameHeader parse_server_frame(std::string_view data, std::size_t max_payload) {
    return parse_frame(data, max_payload, false);
}

FrameHeader parse_client_frame(std::string_view data, std::size_t max_payload) {
    return parse_frame(data, max_payload, true);
}

std::string client_payload(std::string_view data, const FrameHeader& h) {
    const char* mask = data.data() + h.header_size - 4;
    std::string payload(data.substr(h.header_size, h.payload_size));
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= mask[i & 3];
    return payload;
}

std::string upgrade_request(std::string_view host_port, std::string_view path_and_query) {
    std::string r;
    r.reserve(256);
    r += "GET ";
    r += path_and_query;
    r += " HTTP/1.1\r\nHost: ";
    r += host_port;
    // A fixed key is fine: the bench does not verify Sec-WebSocket-Accept, only the 101.
    r += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: cHVsc2UtYmVuY2gta2V5MQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    return r;
}

std::size_t response_head_size(std::string_view data, bool& switched) {
    const auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) return 0;
    switched = data.size() >= 12 && data.substr(0, 9) == "HTTP/1.1 " && data.substr(9, 3) == "101";
    return end + 4;
}

}  // namespace pulse::bench::ws
