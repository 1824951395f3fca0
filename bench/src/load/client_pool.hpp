#pragma once
// Thousands of raw WebSocket clients per thread on epoll, each speaking Engine.IO v4 +
// Socket.IO v5 itself: handshake over a direct WebSocket, "40" connect, one
// join-stream-room, answers pings, and checks every delivery (lost / duplicated / misrouted /
// corrupt) and its latency. Each thread owns its epoll set and its connections outright; the only
// shared state is a few relaxed counters the injector reads for its window.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pulse::bench {

struct PoolConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string path = "/socket.io/?EIO=4&transport=websocket";
    std::uint32_t connections = 0;
    std::uint32_t rooms = 0;
    unsigned threads = 1;
    unsigned source_addresses = 8;  // 127.0.0.1 .. 127.0.0.N
    unsigned handshakes_in_flight = 256;
    std::vector<std::string> room_addresses;  // index = room
};

struct PoolTotals {
    std::uint64_t joined = 0;
    std::uint64_t failed = 0;
    std::uint64_t disconnected_after_join = 0;
    std::uint64_t join_errors = 0;
    std::uint64_t deliveries = 0;  // every delivery frame of a bench event, whatever its verdict
    std::uint64_t unique = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t misrouted = 0;
    std::uint64_t corrupt = 0;  // unparsable streamId or payload not matching the tag
    std::uint64_t pings_answered = 0;
    std::uint64_t last_delivery_ns = 0;
    std::vector<std::uint64_t> latency_ns;
    std::string first_error;
};

struct DeliveryCounts {
    std::uint64_t deliveries = 0, unique = 0, duplicated = 0, misrouted = 0, corrupt = 0;
};

class ClientPool {
  public:
    explicit ClientPool(PoolConfig config);
    ~ClientPool();
    ClientPool(const ClientPool&) = delete;
    ClientPool& operator=(const ClientPool&) = delete;

    void start();
    // Live progress, readable from any thread.
    std::uint64_t joined() const;
    std::uint64_t failed() const;
    std::uint64_t deliveries() const;
    std::uint64_t last_join_ns() const;
    DeliveryCounts counts() const;
    // Latency samples are kept only while recording (not during a warm-up).
    void set_recording(bool on) { recording_ = on; }
    // Sockets currently joined per room (what an event to that room should reach).
    std::vector<std::uint32_t> room_sizes() const;
    // Stops the threads, closes every socket, and merges what the threads counted.
    PoolTotals stop();

    struct Worker;

  private:
    PoolConfig config_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> room_members_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> recording_{true};
};

std::uint64_t monotonic_ns();

}  // namespace pulse::bench
