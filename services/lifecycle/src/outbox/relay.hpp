#pragma once
// OutboxRelay: republishes outbox rows that were committed but never marked published (the
// process died between commit and publish, or the send was dropped). Runs on its own thread.
// The first pass waits one interval rather than running at start-up: PUB has no memory, and
// gateways need a moment (ZeroMQ reconnects every 100 ms) to resubscribe after a restart, or
// they would miss the very events being recovered. Rows younger than `grace` are left to the
// request that is publishing them right now.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "db/pool.hpp"
#include "outbox/event_sink.hpp"

namespace pulse::lifecycle::outbox {

class OutboxRelay {
  public:
    OutboxRelay(db::ConnectionPool& pool, EventSink& sink, std::chrono::milliseconds interval,
                std::chrono::milliseconds grace);
    ~OutboxRelay();

    void start();
    void stop();
    // One pass: publish what is pending, mark it; returns how many rows were republished.
    std::size_t run_once();
    std::uint64_t republished_count() const { return republished_.load(); }

  private:
    void loop();

    db::ConnectionPool& pool_;
    EventSink& sink_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds grace_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> republished_{0};
};

}  // namespace pulse::lifecycle::outbox
