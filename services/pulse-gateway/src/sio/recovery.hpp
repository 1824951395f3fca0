#pragma once
// Connection state recovery (socket.io's `connectionStateRecovery`), opt-in: a client whose
// transport dropped reconnects within the window with its private session id (`pid`) and the
// offset of the last event it got; it keeps its socket id and rooms and receives exactly the
// broadcasts it missed. Offsets are the bus's "<epoch>:<seq>" (docs/protocol.md, "Connection state
// recovery").
//
// Threads: record() runs on the bus thread; processed() and last_processed() on shard i's thread
// for its own slot only; save()/restore() on shard threads. Shared parts are behind one mutex,
// which is taken once per bus event and once per reconnect - never per delivery.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::sio {

class RecoveryCredential;

struct Offset {
    std::string epoch;  // empty: nothing seen yet
    std::int64_t seq = 0;
    bool operator==(const Offset&) const = default;
};

// "epoch:seq"; empty for an empty offset (nothing seen yet), which parse_offset refuses.
std::string format_offset(const Offset& offset);
std::optional<Offset> parse_offset(std::string_view text);

// Why a resume was refused (the client then starts a fresh session), for the log and tests.
enum class RestoreRefusal {
    unknown_session,  // no saved session, and no valid credential with an offset
    no_room_report,   // another replica's session, but no peer reported its rooms
    no_offset,        // another replica's session, and nothing says what the client got
    expired,          // the recovery window has passed
    ahead_of_shard,   // the client has events this shard has not delivered yet, or it is a
                      // peer's client and this shard delivered nothing yet (kept: retry)
    other_database,   // the client's offset is from another epoch
    history_gone,     // the history no longer holds every event the client missed
};
const char* to_string(RestoreRefusal why);

class RecoveryStore {
  public:
    RecoveryStore(std::size_t shards, std::chrono::milliseconds window,
                  std::size_t max_events = 10000);

    std::chrono::milliseconds window() const { return window_; }

    // Across replicas: pids are credentials signed with the deployment's key, and a pid this
    // replica never issued resumes when its signature holds and `claim` gives the rooms a peer
    // last reported for that socket id (the claim takes them, so a pid resumes once). What the
    // client missed starts after its own offset, or, when it got no event yet, after the offset
    // each room's join reported. Both outlive the store. Set before serving.
    struct ClaimedRoom {
        std::string room;
        Offset since;  // delivered on the peer's shard when the socket joined; empty: unknown
    };
    using RemoteClaim =
        std::function<std::optional<std::vector<ClaimedRoom>>(const std::string& sid)>;
    void set_cluster(const RecoveryCredential* credential, RemoteClaim claim);
    // Per room of a socket of this replica, the offset at which it joined (empty epoch: not
    // known); asked when the socket is kept for a resume. A client that resumes without an
    // offset has had no broadcast at all, so it missed each room's events after that. Without
    // it, such a client resumes after what had been sent to it (events in flight are lost to
    // it). Outlives the store; set before serving.
    using JoinOffsets = std::function<std::vector<Offset>(const std::string& sid,
                                                          const std::vector<std::string>& rooms)>;
    void set_join_offsets(JoinOffsets join_offsets) { join_offsets_ = std::move(join_offsets); }
    // The pid for a new socket: a credential when a key is set, else a random id.
    std::string issue_pid(const std::string& sid) const;

    // Bus thread: one broadcast, before it is posted to the shards.
    void record(const Offset& at, std::shared_ptr<const std::vector<std::string>> rooms,
                std::shared_ptr<const std::string> packet);
    // Shard thread: that broadcast has been delivered on this shard.
    void processed(std::size_t shard, const Offset& at) { last_[shard] = at; }
    const Offset& last_processed(std::size_t shard) const { return last_[shard]; }

    // Shard thread: a socket lost its transport; keep what is needed to resume it.
    void save(const std::string& pid, std::string sid, std::vector<std::string> rooms, Offset seen);

    struct Restored {
        std::string sid;
        std::vector<std::string> rooms;
        std::vector<std::shared_ptr<const std::string>> missed;  // in order
        // Per room, where its replay started: what the resumed socket is known to have (the
        // replay itself was only sent, and may never arrive). Empty epoch: from the start.
        std::vector<Offset> from;
    };
    // Shard thread: takes the saved session of `pid` (once). Nothing when unknown, expired, or
    // when the history no longer covers what the client missed (it then starts afresh, like
    // socket.io does). Refused with `ahead_of_shard`, the session stays: the client already has
    // events this shard has not delivered yet (its old replica's bus ran ahead of ours), which
    // the bus brings here within moments, so the caller may wait and ask again.
    std::optional<Restored> restore(std::size_t shard, const std::string& pid,
                                    const std::optional<Offset>& client_offset,
                                    RestoreRefusal* why = nullptr);

  private:
    using Clock = std::chrono::steady_clock;
    struct Saved {
        std::string sid;
        std::vector<std::string> rooms;
        std::vector<Offset> since;  // per room, the offset at its join (empty epoch: unknown)
        Offset seen;                // this replica's session: sent to it until the disconnect
        Clock::time_point expires;
        bool remote = false;
    };
    struct Entry {
        Offset at;
        std::shared_ptr<const std::vector<std::string>> rooms;
        std::shared_ptr<const std::string> packet;
        Clock::time_point when;
    };
    void prune(Clock::time_point now);

    std::chrono::milliseconds window_;
    std::size_t max_events_;
    const RecoveryCredential* credential_ = nullptr;
    RemoteClaim claim_;
    JoinOffsets join_offsets_;
    std::vector<Offset> last_;  // per shard, touched only by that shard's thread
    std::mutex mutex_;
    std::map<std::string, Saved> sessions_;
    std::deque<Entry> history_;
};

}  // namespace pulse::sio
