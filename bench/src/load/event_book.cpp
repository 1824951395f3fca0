#include "event_book.hpp"

#include "../core/scenario.hpp"

namespace pulse::bench {

void EventBook::reset(std::vector<std::string> room_addresses, std::vector<std::uint32_t> sizes) {
    *this = EventBook{};
    addresses = std::move(room_addresses);
    room_sizes = std::move(sizes);
    next_ordinal.assign(addresses.size(), 0);
}

void EventBook::start_new_phase() {
    EventBook next;
    next.addresses = std::move(addresses);
    next.room_sizes = std::move(room_sizes);
    next.next_ordinal = std::move(next_ordinal);
    next.seq_base = seq_base + sent;
    *this = std::move(next);
}

StreamTag EventBook::make_event(std::uint64_t k, std::uint64_t now_ns) {
    k += seq_base;
    const RoomPair rooms = rooms_for_event(k, static_cast<std::uint32_t>(addresses.size()));
    StreamTag tag;
    tag.seq = k;
    tag.room_a = rooms.a;
    tag.ordinal_a = next_ordinal[rooms.a]++;
    tag.room_b = rooms.b;
    tag.ordinal_b = next_ordinal[rooms.b]++;
    tag.send_ns = now_ns;
    return tag;
}

void EventBook::on_sent(const StreamTag& tag, std::uint64_t now_ns) {
    if (sent == 0) first_send_ns = now_ns;
    last_send_ns = now_ns;
    ++sent;
    expected_sent += deliveries_of(tag);
}

std::string stream_request_body(const EventBook& book, const StreamTag& tag) {
    std::string body;
    body.reserve(220);
    body += "{\"streamId\":\"";
    body += format_stream_tag(tag);
    body += "\",\"sender\":\"";
    body += book.addresses[tag.room_a];
    body += "\",\"receiver\":\"";
    body += book.addresses[tag.room_b];
    body += "\",\"amount\":\"1000000000\"}";
    return body;
}

}  // namespace pulse::bench
