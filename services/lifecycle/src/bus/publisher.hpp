#pragma once
// The ZeroMQ PUB socket (the lifecycle binds, gateways connect). Frames: [event][envelope JSON].
// One socket shared by request threads and the relay: ZeroMQ sockets are not thread-safe, so
// every send holds the mutex. Sends never block: past the high-water mark PUB drops, and the
// outbox row then stays unpublished for the relay.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include <zmq.hpp>

namespace pulse::lifecycle::bus {

struct BusBindError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Publisher {
  public:
    // Binds `endpoint` (e.g. tcp://127.0.0.1:5556, or tcp://127.0.0.1:* for a free port);
    // throws BusBindError naming the endpoint and the reason.
    // `send_buffer_bytes` > 0 fixes the kernel send buffer of each connection (else the OS tunes
    // it).
    explicit Publisher(const std::string& endpoint, int send_high_water_mark = 100000,
                       int send_buffer_bytes = 0);
    ~Publisher();

    // The endpoint actually bound (the port resolved when '*' was asked).
    const std::string& endpoint() const { return endpoint_; }
    // Sends [event][payload] (the encoded envelope; `seq` only for the log). false when ZeroMQ
    // refused the message (dropped): the caller leaves it for the relay.
    bool publish(std::string_view event, std::int64_t seq, std::string_view payload);
    bool healthy() const { return healthy_.load(); }
    std::uint64_t published_count() const { return published_.load(); }
    std::uint64_t failed_count() const { return failed_.load(); }
    // Lets queued messages drain (bounded by linger) and closes the socket.
    void close();

  private:
    zmq::context_t context_;
    zmq::socket_t socket_;
    std::string endpoint_;
    std::mutex mutex_;
    std::atomic<bool> healthy_{false};
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> failed_{0};
};

}  // namespace pulse::lifecycle::bus
