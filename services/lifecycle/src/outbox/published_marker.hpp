#pragma once
// PublishedMarker: sets published_at for sent outbox rows on its own thread, many rows per
// UPDATE. Marking used to be a second transaction inside every request (BEGIN, UPDATE, COMMIT:
// three round trips and a commit per event, about a third of the request's PostgreSQL work).
// It is only a hint for the relay - a row left unmarked is sent again after the relay's grace
// period and consumers dedupe by seq - so it can lag the reply by a few milliseconds and a
// failed batch is only logged. It uses its own connection: the pool has exactly one connection
// per request worker, and a worker must never wait for one the marker holds.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/connection>

namespace pulse::lifecycle::outbox {

class PublishedMarker {
  public:
    // `linger`: after the first seq arrives, wait this long for more before the UPDATE.
    PublishedMarker(std::string conninfo, std::chrono::milliseconds linger);
    ~PublishedMarker();
    PublishedMarker(const PublishedMarker&) = delete;
    PublishedMarker& operator=(const PublishedMarker&) = delete;

    void start();
    // Marks what is queued (one last batch), then ends the thread.
    void stop();
    // Queues a sent row; never blocks on the database.
    void mark(std::int64_t seq);
    std::uint64_t batches() const { return batches_.load(); }

  private:
    void loop();
    void flush(std::vector<std::int64_t>& seqs);

    std::string conninfo_;
    std::chrono::milliseconds linger_;
    std::unique_ptr<pqxx::connection> conn_;  // marker thread only
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::int64_t> pending_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> batches_{0};
};

}  // namespace pulse::lifecycle::outbox
