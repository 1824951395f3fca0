#include "bus/sequence_tracker.hpp"

namespace pulse::bus {

SequenceTracker::EpochState* SequenceTracker::find(std::string_view epoch) {
    for (auto& e : epochs_)
        if (e.epoch == epoch) return &e;
    return nullptr;
}

SequenceVerdict SequenceTracker::observe(std::string_view epoch, std::int64_t seq) {
    SequenceVerdict v;
    EpochState* state = find(epoch);
    if (!state) {
        // We cannot know what came before our first message of an epoch: not counted as a gap.
        if (epochs_.size() >= max_epochs_) epochs_.pop_front();
        epochs_.push_back(EpochState{std::string(epoch), seq, {}});
        v.new_epoch = true;
        return v;
    }
    if (seq > state->highest) {
        v.missing = seq - state->highest - 1;
        // Remember the most recent missing seqs only: enough for out-of-order publishes, bounded
        // whatever a publisher sends.
        const std::int64_t first =
            std::max(state->highest + 1, seq - static_cast<std::int64_t>(max_missing_));
        for (std::int64_t s = first; s < seq; ++s) state->missing.insert(s);
        while (state->missing.size() > max_missing_) state->missing.erase(state->missing.begin());
        state->highest = seq;
        return v;
    }
    if (state->missing.erase(seq) > 0) {
        v.late = true;
        return v;
    }
    v.deliver = false;  // seen already
    return v;
}

}  // namespace pulse::bus
