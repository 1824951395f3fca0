#pragma once
// The presence link: the gateways' own small bus (ZeroMQ PUB bound by each replica, SUB connected
// to every peer's PUB), on its own thread. It publishes this replica's presence deltas as they are
// queued, a heartbeat every `heartbeat` and a full snapshot every `snapshot` (so a peer that
// started late or dropped a delta converges), feeds what peers send into Presence, and drops
// peers that fell silent. On stop it says goodbye so peers release its sockets at once.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "app/presence.hpp"

namespace pulse::app {

struct PresenceLinkOptions {
    std::string bind;                // e.g. tcp://0.0.0.0:3500
    std::vector<std::string> peers;  // every replica's endpoint; this replica's own is ignored
    std::chrono::milliseconds heartbeat{300};
    std::chrono::milliseconds snapshot{3000};
};

class PresenceLink {
  public:
    PresenceLink(Presence& presence, PresenceLinkOptions options);
    ~PresenceLink();
    PresenceLink(const PresenceLink&) = delete;
    PresenceLink& operator=(const PresenceLink&) = delete;

    // Binds and connects on the calling thread (a bad endpoint is a start-up error naming it),
    // then starts the thread.
    void start();
    void stop();
    const std::string& endpoint() const { return endpoint_; }

  private:
    void run();

    Presence& presence_;
    PresenceLinkOptions options_;
    std::string endpoint_;
    struct Sockets;
    std::unique_ptr<Sockets> sockets_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace pulse::app
