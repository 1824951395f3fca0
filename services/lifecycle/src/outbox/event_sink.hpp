#pragma once
// Publish-after-commit, in seq order. The caller holds `order()` from just before it takes the
// next seq until after publish(): within this process events then leave in exactly seq order
// (seq order is commit order; see db/outbox_store). Every domain lock of the transaction must
// be taken before `order()`, so a holder never waits on a row another waiting holder owns.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "bus/publisher.hpp"
#include "db/outbox_store.hpp"
#include "db/pool.hpp"

namespace pulse::lifecycle::outbox {

class EventSink {
  public:
    EventSink(bus::Publisher& publisher, std::string epoch)
        : publisher_(publisher), epoch_(std::move(epoch)) {}

    std::mutex& order() { return order_; }
    const std::string& epoch() const { return epoch_; }

    // Sends one committed row; true when it reached the PUB socket (then mark it published).
    bool publish(const db::OutboxRow& row);
    envelope::Envelope to_envelope(const db::OutboxRow& row) const;

  private:
    bus::Publisher& publisher_;
    std::string epoch_;
    std::mutex order_;
};

}  // namespace pulse::lifecycle::outbox
