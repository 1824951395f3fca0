#include <pqxx/pqxx>

#include "outbox/relay.hpp"

#include <pqxx/except>

#include "pulse/log.hpp"

namespace pulse::lifecycle::outbox {

namespace {
constexpr std::size_t kBatch = 500;
}

OutboxRelay::OutboxRelay(db::ConnectionPool& pool, EventSink& sink,
                         std::chrono::milliseconds interval, std::chrono::milliseconds grace)
    : pool_(pool), sink_(sink), interval_(interval), grace_(grace) {}

OutboxRelay::~OutboxRelay() {
    stop();
}

void OutboxRelay::start() {
    thread_ = std::thread([this] { loop(); });
}

void OutboxRelay::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::size_t OutboxRelay::run_once() {
    auto lease = pool_.acquire();
    try {
        std::size_t total = 0;
        // Bounded: at most 20 batches a pass, the next pass continues.
        for (int round = 0; round < 20; ++round) {
            auto rows = db::read_unpublished(lease.get(), grace_, kBatch);
            if (rows.empty()) break;
            std::vector<std::int64_t> sent;
            {
                std::lock_guard order(sink_.order());
                for (const auto& row : rows)
                    if (sink_.publish(row)) sent.push_back(row.seq);
            }
            db::mark_published(lease.get(), sent);
            total += sent.size();
            if (sent.size() < rows.size() || rows.size() < kBatch) break;
        }
        if (total > 0) {
            republished_ += total;
            log::info("outbox relay republished", {{"count", total}});
        }
        return total;
    } catch (const pqxx::broken_connection&) {
        lease.discard();
        throw;
    }
}

void OutboxRelay::loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval_, [&] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        try {
            run_once();
        } catch (const std::exception& e) {
            log::warn("outbox relay pass failed", {{"error", e.what()}});
        }
        lock.lock();
    }
}

}  // namespace pulse::lifecycle::outbox
