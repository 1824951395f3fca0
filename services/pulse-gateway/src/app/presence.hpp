#pragma once
// Who is connected, by user address: the numbers behind /health and /ws-status, for this replica
// (local) and for the whole deployment (cluster). Each replica knows its own sockets' addresses
// and learns its peers' from the presence link (app/presence_link.hpp): deltas as they happen,
// a full snapshot now and then, heartbeats; a peer silent for `peer_timeout` stops counting and
// its sockets are kept as orphans for the recovery window, so a client of a dead replica can
// resume its rooms on another one (docs/presence.md).
//
// Threads: add/remove/disconnect on shard threads; apply/expire/take_outgoing/snapshot on the
// link thread; queries on shard threads. One mutex: touched on join/leave/disconnect, status
// requests and link messages, never on the event delivery path.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::app {

enum class Scope { cluster, local };

// One socket's membership of one address's room. `since` is the offset ("epoch:seq") its shard
// had delivered when it joined, empty when recovery is off or a peer did not say: a client that
// resumes the socket on another replica without an offset of its own (it got no event yet)
// missed exactly that room's events after `since`.
struct Membership {
    std::string address;
    std::string since;
    bool operator==(const Membership&) const = default;
};

class Presence {
  public:
    using Clock = std::chrono::steady_clock;

    explicit Presence(std::string node_id = {},
                      std::chrono::milliseconds peer_timeout = std::chrono::milliseconds(2000),
                      std::chrono::milliseconds orphan_window = std::chrono::minutes(2));

    // Shard threads. One socket joined (add) or left (remove) the room of `address`; a socket
    // went away (`recoverable`: its transport dropped, the client may resume it elsewhere).
    void add(const std::string& sid, const std::string& address, std::string since = {});
    void remove(const std::string& sid, const std::string& address);
    void disconnect(const std::string& sid, bool recoverable);

    // Number of distinct addresses with at least one socket.
    std::size_t user_count(Scope scope = Scope::cluster) const;
    // address -> sockets, merged over the replicas; never holds an address with zero sockets.
    std::map<std::string, std::size_t> connections(Scope scope = Scope::cluster) const;
    std::size_t peer_count() const;

    // Recovery on this replica of a socket another one held: its rooms, taken once (from the
    // orphans of dead or disconnected sockets, else from a live peer's table). Peers are told.
    std::optional<std::vector<Membership>> claim(const std::string& sid);
    // This replica's socket `sid`: its rooms and join offsets (empty when unknown here).
    std::vector<Membership> memberships(const std::string& sid) const;

    // Link thread: whether deltas are queued for peers at all (no link: nothing is queued).
    void set_linked(bool linked);
    std::vector<std::string> take_outgoing();
    std::string snapshot_message() const;
    std::string heartbeat_message() const;
    std::string goodbye_message() const;
    // One message from a peer (own messages and malformed ones are ignored; false if malformed).
    bool apply(std::string_view message, Clock::time_point now = Clock::now());
    // Drops peers silent for longer than the timeout, and expired orphans.
    void expire(Clock::time_point now = Clock::now());

    const std::string& node_id() const { return node_id_; }

  private:
    struct Peer {
        Clock::time_point last_seen;
        std::map<std::string, std::vector<Membership>> sockets;  // by sid
    };
    struct Orphan {
        std::vector<Membership> rooms;
        Clock::time_point expires;
    };
    void queue(std::string message);
    void orphan_all(Peer& peer, Clock::time_point now);

    std::string node_id_;
    std::chrono::milliseconds peer_timeout_;
    std::chrono::milliseconds orphan_window_;
    mutable std::mutex mutex_;
    bool linked_ = false;
    std::map<std::string, std::vector<Membership>> local_;  // by sid
    std::map<std::string, std::size_t> counts_;             // address -> local sockets
    std::map<std::string, Peer> peers_;
    std::map<std::string, Orphan> orphans_;
    std::vector<std::string> outgoing_;
};

}  // namespace pulse::app
