#include "outbox/published_marker.hpp"

#include <algorithm>

#include <pqxx/except>

#include "db/outbox_store.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle::outbox {
namespace {

// Bounds memory if PostgreSQL stalls: beyond this, seqs are dropped and the relay resends them.
constexpr std::size_t kMaxPending = 100000;
// One UPDATE carries at most this many seqs (one jsonb array parameter).
constexpr std::size_t kMaxBatch = 2000;

}  // namespace

PublishedMarker::PublishedMarker(std::string conninfo, std::chrono::milliseconds linger)
    : conninfo_(std::move(conninfo)), linger_(linger) {}

PublishedMarker::~PublishedMarker() {
    stop();
}

void PublishedMarker::start() {
    thread_ = std::thread([this] { loop(); });
}

void PublishedMarker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void PublishedMarker::mark(std::int64_t seq) {
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        if (pending_.size() >= kMaxPending) return;
        first = pending_.empty();
        pending_.push_back(seq);
    }
    // Later seqs join the batch the marker is already lingering for: no wake-up each.
    if (first) wake_.notify_one();
}

void PublishedMarker::loop() {
    std::vector<std::int64_t> batch;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (!stopping_) wake_.wait_for(lock, linger_, [&] { return stopping_; });
        const std::size_t n = std::min(pending_.size(), kMaxBatch);
        batch.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
        const bool last = stopping_ && pending_.empty();
        lock.unlock();
        flush(batch);
        lock.lock();
        if (last) return;
    }
}

void PublishedMarker::flush(std::vector<std::int64_t>& seqs) {
    if (seqs.empty()) return;
    try {
        if (conn_ && !conn_->is_open()) conn_.reset();
        if (!conn_) {
            auto fresh = std::make_unique<pqxx::connection>(conninfo_);
            db::prepare_outbox_statements(*fresh);
            conn_ = std::move(fresh);
        }
        db::mark_published(*conn_, seqs);
        ++batches_;
    } catch (const pqxx::broken_connection& e) {
        conn_.reset();
        log::warn("could not mark outbox rows published",
                  {{"count", seqs.size()}, {"error", e.what()}});
    } catch (const std::exception& e) {
        // Committed and sent: the relay will send them again, consumers dedupe by seq.
        log::warn("could not mark outbox rows published",
                  {{"count", seqs.size()}, {"error", e.what()}});
    }
    seqs.clear();
}

}  // namespace pulse::lifecycle::outbox
