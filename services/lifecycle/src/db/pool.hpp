#pragma once
// A fixed-size libpqxx connection pool. Connections are opened lazily and replaced when they
// break, so the service survives a PostgreSQL restart (requests fail with 503 meanwhile).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace pulse::lifecycle::db {

class ConnectionPool {
  public:
    // `on_connect` runs on every connection the pool opens (e.g. to define prepared statements).
    ConnectionPool(std::string conninfo, std::size_t size,
                   std::function<void(pqxx::connection&)> on_connect = {});
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    class Lease {
      public:
        Lease(ConnectionPool& pool, std::size_t slot) : pool_(&pool), slot_(slot) {}
        Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) {
            other.pool_ = nullptr;
        }
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        // Opens the connection if needed; throws pqxx::broken_connection when unreachable.
        pqxx::connection& get();
        // After a broken_connection: drop it so the next lease reconnects.
        void discard();

      private:
        ConnectionPool* pool_;
        std::size_t slot_;
    };

    // Blocks until a slot is free (bounded by `wait`); throws std::runtime_error on timeout.
    Lease acquire(std::chrono::milliseconds wait = std::chrono::seconds(10));
    std::size_t size() const { return slots_.size(); }
    const std::string& conninfo() const { return conninfo_; }

  private:
    friend class Lease;
    void release(std::size_t slot);

    std::string conninfo_;
    std::function<void(pqxx::connection&)> on_connect_;
    std::vector<std::unique_ptr<pqxx::connection>> slots_;
    std::vector<std::size_t> free_;
    std::mutex mutex_;
    std::condition_variable available_;
};

}  // namespace pulse::lifecycle::db
