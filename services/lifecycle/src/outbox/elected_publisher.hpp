#pragma once
// ElectedPublisher: the one process (of all lifecycle instances on a database) that sends the
// outbox to the bus, in seq order. Seqs are taken under the counter row lock held to commit,
// so once seq N is visible every lower seq is too: reading the outbox after the last sent seq
// gives commit order with no holes, whichever instance wrote the rows.
//  - Election: a session-level advisory lock on its own connection. The holder leads until the
//    connection ends; the others retry every `poll`. Nothing else is coordinated.
//  - Wake-ups: LISTEN pulse_outbox (the batches of instances that do not lead notify at commit)
//    and a periodic poll.
//  - Fast path: committed() hands this instance's freshly committed rows over; when they follow
//    the last sent seq they are sent right away, without reading them back. A NOTIFY from this
//    instance's own writer session (its backend pid) does not trigger a read-back: those rows
//    arrive through committed() microseconds later. Only if they have not been sent
//    `cursor_period` after the NOTIFY (the writer lost its connection after the commit, or
//    failed handing them over) are they read back.
//  - Takeover: waits `takeover_delay` (subscribers reconnect to a restarted PUB in ~100 ms and
//    PUB keeps nothing for them), then sends everything after the saved cursor; a row may go out
//    twice across a takeover, gateways drop a seq they already have.
//  - The cursor row is saved at most every `cursor_period`, off the send path.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/publisher.hpp"
#include "db/outbox_store.hpp"

namespace pulse::lifecycle::outbox {

struct PublisherOptions {
    std::chrono::milliseconds poll{1000};            // PULSE_OUTBOX_RELAY_MS
    std::chrono::milliseconds takeover_delay{1000};  // PULSE_OUTBOX_TAKEOVER_MS
    std::chrono::milliseconds cursor_period{50};
};

class ElectedPublisher {
  public:
    ElectedPublisher(std::string conninfo, bus::Publisher& bus, std::string epoch,
                     PublisherOptions options);
    ~ElectedPublisher();
    ElectedPublisher(const ElectedPublisher&) = delete;
    ElectedPublisher& operator=(const ElectedPublisher&) = delete;

    void start();
    // Sends what is committed, saves the cursor and releases leadership.
    void stop();

    // Rows this instance just committed, ascending seq. Never blocks on the database.
    void committed(const std::vector<db::OutboxRow>& rows);
    // The backend pid of this instance's writer session (0: none): its NOTIFYs announce rows
    // that committed() will hand over.
    void writer_session(int backend_pid) { own_backend_ = backend_pid; }
    // The writer cannot tell whether its batch committed (its connection broke, or the answer
    // was unreadable): read the outbox back `cursor_period` from now, when a commit that was in
    // flight is visible. (While this instance leads, its batches send no NOTIFY.)
    void commit_unknown();

    // The row's bus envelope, as the publisher sends it (and /internal/outbox shows it).
    std::string encoded(const db::OutboxRow& row) const;
    const std::string& epoch() const { return epoch_; }
    bool leader() const { return leader_.load(); }
    std::uint64_t sent_count() const { return sent_.load(); }
    std::uint64_t read_back_count() const { return read_back_.load(); }

    struct Connection;

  private:
    void loop();
    // One pass while leading: read back and send what follows the last sent seq.
    void catch_up();
    // Sends rows that follow last_sent_, in order; stops at a row that does not follow it or
    // that the PUB socket refuses. Caller holds send_mutex_.
    void send_in_order(const std::vector<db::OutboxRow>& rows);
    void wake();
    void wait_for_wake(std::chrono::milliseconds timeout);

    std::string conninfo_;
    bus::Publisher& bus_;
    std::string epoch_;
    PublisherOptions options_;
    std::unique_ptr<Connection> conn_;  // publisher thread only

    std::mutex send_mutex_;  // last_sent_ and the send itself
    std::int64_t last_sent_ = 0;
    std::atomic<bool> leader_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> known_committed_{0};  // highest seq known to be committed
    std::atomic<int> own_backend_{0};
    // Highest seq announced by our own writer's NOTIFY. The publisher thread watches one such
    // seq (own_watch_*) and reads it back if it is still unsent after `cursor_period`.
    std::atomic<std::int64_t> own_notified_{0};
    std::int64_t own_watch_seq_ = 0;
    std::chrono::steady_clock::time_point own_watch_since_{};
    // When to read back after commit_unknown() (steady_clock ticks; 0: nothing pending).
    std::atomic<std::int64_t> reread_at_{0};
    int wake_fd_ = -1;
    std::thread thread_;
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> read_back_{0};
};

}  // namespace pulse::lifecycle::outbox
