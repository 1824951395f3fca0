#pragma once
// The bus reader: one ZeroMQ SUB socket, on its own thread, connected to every lifecycle PUB
// endpoint. Each message is decoded (pulse/envelope.hpp), checked against the (epoch, seq) stream
// and the envelope handed to `sink` on this thread (pulse-gateway's sink is sio::Broadcaster,
// which encodes and posts it to the shards: the bus knows nothing of the wire format). A malformed
// message is dropped and counted, never fatal; a gap is logged and counted.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pulse/envelope.hpp>

#include "bus/replay_client.hpp"

namespace pulse::bus {

struct Stats {
    std::atomic<std::uint64_t> received{0};    // messages read from the socket
    std::atomic<std::uint64_t> malformed{0};   // dropped: wrong frame count or bad envelope
    std::atomic<std::uint64_t> duplicates{0};  // dropped: seq seen already
    std::atomic<std::uint64_t> delivered{0};   // handed to the sink
    std::atomic<std::uint64_t> gaps{0};        // jumps in seq
    std::atomic<std::uint64_t> missed{0};      // seqs skipped by those jumps
    std::atomic<std::uint64_t> late{0};        // seqs that arrived after a jump over them
    std::atomic<std::uint64_t> repaired{0};    // missed events fetched from the replay endpoint
    std::atomic<std::uint64_t> repair_failures{0};
    std::atomic<std::uint64_t> links{0};  // publishers currently connected (readiness)
};

class Subscriber {
  public:
    using Sink = std::function<void(const envelope::RawEnvelope&)>;

    // `replay_url` (optional, "http://host:port"): the lifecycle whose replay endpoint fills gaps.
    // Throws std::invalid_argument for a malformed URL.
    // `replay_token`: the lifecycle's PULSE_REPLAY_TOKEN, sent as a bearer token.
    Subscriber(std::vector<std::string> endpoints, Sink sink, const std::string& replay_url = "",
               const std::string& replay_token = "");
    ~Subscriber();  // stops
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    // Creates the socket and connects every endpoint on the calling thread, so a malformed
    // endpoint is a start-up error (std::runtime_error naming it); then starts the thread.
    void start();
    void stop();

    const Stats& stats() const { return stats_; }

    // One raw message (topic, envelope JSON) through the same path the thread uses; for tests.
    void handle_frames(const std::vector<std::string>& frames);

  private:
    void run();
    void drain_monitor();
    // Fetches and delivers the events of `epoch` with after < seq < before that we missed.
    void repair(const std::string& epoch, std::int64_t after, std::int64_t before);

    struct State;
    std::vector<std::string> endpoints_;
    Sink sink_;
    Stats stats_;
    std::unique_ptr<State> state_;
    std::optional<ReplayClient> replay_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace pulse::bus
