#include "engine/packet.hpp"

#include "engine/base64.hpp"

namespace pulse::engine {

std::string encode_packet(const Packet& packet) {
    if (packet.binary) return "b" + base64_encode(packet.data);
    std::string out;
    out.reserve(1 + packet.data.size());
    out.push_back(static_cast<char>(packet.type));
    out += packet.data;
    return out;
}

std::optional<Packet> decode_packet(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const char type = text.front();
    if (type == 'b') {
        auto bytes = base64_decode(text.substr(1));
        if (!bytes) return std::nullopt;
        return Packet{PacketType::message, std::move(*bytes), true};
    }
    if (type < '0' || type > '6') return std::nullopt;
    return Packet{static_cast<PacketType>(type), std::string(text.substr(1)), false};
}

std::string encode_payload(const std::vector<Packet>& packets) {
    std::string out;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        if (i != 0) out.push_back(record_separator);
        out += encode_packet(packets[i]);
    }
    return out;
}

std::optional<std::vector<Packet>> decode_payload(std::string_view body) {
    std::vector<Packet> packets;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = body.find(record_separator, start);
        const std::string_view part = body.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        auto packet = decode_packet(part);
        if (!packet) return std::nullopt;
        packets.push_back(std::move(*packet));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return packets;
}

}  // namespace pulse::engine
