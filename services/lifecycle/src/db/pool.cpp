#include "db/pool.hpp"

#include <stdexcept>

namespace pulse::lifecycle::db {

ConnectionPool::ConnectionPool(std::string conninfo, std::size_t size,
                               std::function<void(pqxx::connection&)> on_connect)
    : conninfo_(std::move(conninfo)), on_connect_(std::move(on_connect)), slots_(size) {
    for (std::size_t i = size; i > 0; --i) free_.push_back(i - 1);
}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease ConnectionPool::acquire(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, wait, [&] { return !free_.empty(); }))
        throw std::runtime_error("no database connection free within " +
                                 std::to_string(wait.count()) + " ms");
    std::size_t slot = free_.back();
    free_.pop_back();
    return Lease(*this, slot);
}

void ConnectionPool::release(std::size_t slot) {
    {
        std::lock_guard lock(mutex_);
        free_.push_back(slot);
    }
    available_.notify_one();
}

ConnectionPool::Lease::~Lease() {
    if (pool_) pool_->release(slot_);
}

pqxx::connection& ConnectionPool::Lease::get() {
    // The slot is ours alone while leased: no lock needed to touch it.
    auto& conn = pool_->slots_[slot_];
    if (conn && !conn->is_open()) conn.reset();
    if (!conn) {
        auto fresh = std::make_unique<pqxx::connection>(pool_->conninfo_);
        if (pool_->on_connect_) pool_->on_connect_(*fresh);
        conn = std::move(fresh);
    }
    return *conn;
}

void ConnectionPool::Lease::discard() {
    pool_->slots_[slot_].reset();
}

}  // namespace pulse::lifecycle::db
