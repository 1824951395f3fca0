#pragma once
// Who is connected, by user address, across every shard: the numbers behind /health and
// /ws-status. A mutex is fine here: it is touched on join/leave/disconnect and by status requests,
// never on the event delivery path.
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace pulse::app {

class Presence {
  public:
    // One socket joined (add) or left (remove) the room of `address`.
    void add(const std::string& address);
    void remove(const std::string& address);

    // Number of distinct addresses with at least one socket.
    std::size_t user_count() const;
    // address -> sockets; never holds an address with zero sockets.
    std::map<std::string, std::size_t> connections() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::size_t> counts_;
};

}  // namespace pulse::app
