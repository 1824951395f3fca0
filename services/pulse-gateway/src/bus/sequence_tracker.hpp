#pragma once
// Follows the bus's (epoch, seq) stream: the lifecycle numbers its outbox rows in commit order, so
// a jump in seq means messages were lost on the way (PUB high-water mark, a reconnect, a gateway
// that started late), a seq seen before is a duplicate (the outbox relay re-publishing), and a new
// epoch is another database. Pure and single-threaded: the bus thread owns it.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <string_view>

namespace pulse::bus {

struct SequenceVerdict {
    bool deliver = true;       // false for a duplicate
    bool new_epoch = false;    // first message of an epoch we did not know
    bool late = false;         // fills a gap reported earlier (out-of-order publish)
    std::int64_t missing = 0;  // size of the gap this message revealed (0 if none)
};

class SequenceTracker {
  public:
    // Up to `max_missing` missing seqs per epoch are remembered (to recognise late arrivals); up to
    // `max_epochs` epochs are followed at once.
    explicit SequenceTracker(std::size_t max_missing = 4096, std::size_t max_epochs = 8)
        : max_missing_(max_missing), max_epochs_(max_epochs) {}

    SequenceVerdict observe(std::string_view epoch, std::int64_t seq);

  private:
    struct EpochState {
        std::string epoch;
        std::int64_t highest = 0;
        std::set<std::int64_t> missing;
    };
    EpochState* find(std::string_view epoch);

    std::size_t max_missing_;
    std::size_t max_epochs_;
    std::deque<EpochState> epochs_;  // most recently created last
};

}  // namespace pulse::bus
