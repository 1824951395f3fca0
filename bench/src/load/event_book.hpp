#pragma once
// The injector's ledger: which event goes to which rooms, each room's next ordinal, and how many
// deliveries the events sent so far (and the ones the server accepted) should produce. Owned by
// the injecting thread; the receivers never read it (everything they need travels in streamId).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../core/stream_tag.hpp"

namespace pulse::bench {

struct Pacing {
    bool max_rate = false;  // closed loop: keep `window_deliveries` outstanding
    double rate = 100;      // events/s when !max_rate
    double duration_s = 5;
    std::uint64_t max_events = 0;  // 0 = no cap beyond the duration
    std::uint64_t window_deliveries = 20000;
    std::function<std::uint64_t()> delivered;  // deliveries received so far (all verdicts)
};

struct EventBook {
    std::vector<std::string> addresses;  // index = room
    std::vector<std::uint32_t> room_sizes;
    std::vector<std::uint32_t> next_ordinal;
    // Event numbers (and bus seq) continue from here: a warm-up's events come first.
    std::uint64_t seq_base = 0;

    std::uint64_t offered = 0;  // fixed rate: events scheduled within the duration
    std::uint64_t sent = 0;
    std::uint64_t accepted = 0;  // HTTP 2xx (bus: every sent event)
    std::uint64_t rejected = 0;
    std::uint64_t expected_sent = 0;
    std::uint64_t expected_accepted = 0;
    std::uint64_t first_send_ns = 0;
    std::uint64_t last_send_ns = 0;
    std::string first_error;

    void reset(std::vector<std::string> room_addresses, std::vector<std::uint32_t> sizes);
    // Starts a new measured phase: counters back to zero; ordinals and numbering go on.
    void start_new_phase();
    // Event number `k`: picks its rooms, assigns the ordinals, stamps the send time.
    StreamTag make_event(std::uint64_t k, std::uint64_t now_ns);
    std::uint64_t deliveries_of(const StreamTag& tag) const {
        return std::uint64_t{room_sizes[tag.room_a]} + room_sizes[tag.room_b];
    }
    void on_sent(const StreamTag& tag, std::uint64_t now_ns);
    void on_accepted(const StreamTag& tag) {
        ++accepted;
        expected_accepted += deliveries_of(tag);
    }
    void on_rejected(const std::string& why) {
        ++rejected;
        if (first_error.empty()) first_error = why;
    }
};

// The `new-stream` payload fields the bench sends, as JSON text: the HTTP body, and the bus
// envelope's `data`.
std::string stream_request_body(const EventBook& book, const StreamTag& tag);

}  // namespace pulse::bench

namespace pulse::bench {
// Deliveries expected from sent events but not received yet (never negative: duplicates and
// misrouted deliveries can push the received count past the expected one).
inline std::uint64_t outstanding(const EventBook& book, const Pacing& pacing) {
    const std::uint64_t got = pacing.delivered();
    return book.expected_sent > got ? book.expected_sent - got : 0;
}
}  // namespace pulse::bench
