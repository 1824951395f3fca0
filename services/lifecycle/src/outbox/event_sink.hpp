#pragma once
// Publish-after-commit, in seq order. The caller holds `order()` around the command's call
// (which takes the next seq and commits when it returns, see db/stream_store) and the
// publish(): within this process events then leave in exactly seq order (seq order is commit
// order). A waiter for `order()` holds no row lock (each call is its own transaction, and the
// relay only publishes under it), so a holder never waits on a row a waiting holder owns.
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
