#pragma once
// One shard's part of an engine::Server, and all that a Session sees of its server: the shard's
// io_context, its sessions (touched only on its thread; the sid's first character names the
// shard, so no global lookup), its heartbeat lists, the end-of-tick flush, and the server's
// options and CORS policy. Routing requests to shards stays in Server::Impl.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/deadline_list.hpp"
#include "engine/origin_policy.hpp"
#include "engine/server.hpp"

namespace pulse::engine {

class AddressLimit;
class Session;

// Counters of one shard for Server::stats(), written only by that shard's thread (load + store,
// no locked instruction) and read from any thread.
struct ShardStats {
    static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    static void sub(std::atomic<std::uint64_t>& c) {
        c.store(c.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    }
    std::atomic<std::uint64_t> opened{0}, origin_refusals{0}, address_refusals{0}, bytes{0};
    std::atomic<std::uint64_t> polling{0}, websocket{0};
    std::atomic<std::uint64_t> closes[kCloseReasons] = {};
};

class ServerShard {
  public:
    // `open_sessions` is the server-wide count (Server::session_count), updated by add/remove;
    // `addresses` the server-wide per-address count, whose slot remove() gives back.
    ServerShard(boost::asio::io_context& io, std::size_t index, const ServerOptions& options,
                const OriginPolicy& origins, std::atomic<std::size_t>& open_sessions,
                AddressLimit& addresses);
    ServerShard(const ServerShard&) = delete;
    ServerShard& operator=(const ServerShard&) = delete;

    boost::asio::io_context& io() const { return io_; }
    std::size_t index() const { return index_; }
    const ServerOptions& options() const { return options_; }
    const OriginPolicy& origins() const { return origins_; }

    // The heartbeat: sessions waiting for their next ping (pingInterval) and sessions waiting for
    // a pong (pingTimeout). One timer per list and shard, none per session.
    DeadlineList& ping_deadlines() { return ping_deadlines_; }
    DeadlineList& pong_deadlines() { return pong_deadlines_; }

    // Runs session->deferred_flush() at the end of this I/O tick. One posted handler per shard
    // and tick instead of one per session: a hot-room broadcast touches hundreds of sessions.
    void defer_flush(std::shared_ptr<Session> session);

    void add(std::shared_ptr<Session> session);
    void remove(const Session& session);                        // open or lingering
    std::shared_ptr<Session> find(std::string_view sid) const;  // open sessions only
    std::vector<std::shared_ptr<Session>> sessions() const;     // a copy, for shutdown

    // A polling session that has ended with no GET waiting still owes its client one answer
    // (Session::finish): it leaves the open sessions (and the count a shutdown waits for) but
    // stays findable here until that GET comes or its time is up; then remove() it.
    void linger(const Session& session);
    std::shared_ptr<Session> find_lingering(std::string_view sid) const;

    ShardStats& stats() { return stats_; }
    const ShardStats& stats() const { return stats_; }

  private:
    void run_flushes();

    boost::asio::io_context& io_;
    const std::size_t index_;
    const ServerOptions& options_;
    const OriginPolicy& origins_;
    std::atomic<std::size_t>& open_sessions_;
    AddressLimit& addresses_;
    // Before `sessions_`: a session leaves its list when destroyed, so the lists go last.
    DeadlineList ping_deadlines_;
    DeadlineList pong_deadlines_;
    // Keyed by a view of the session's own sid (the map owns the session, so the view lives as
    // long as the entry): no second heap copy of every sid.
    std::unordered_map<std::string_view, std::shared_ptr<Session>> sessions_;
    std::unordered_map<std::string_view, std::shared_ptr<Session>> lingering_;  // see linger()
    std::vector<std::shared_ptr<Session>> to_flush_;  // defer_flush, in call order
    std::vector<std::shared_ptr<Session>> flushing_;  // the batch being run (capacity kept)
    bool flush_posted_ = false;
    alignas(64) ShardStats stats_;  // its own cache line: shards never share it
};

}  // namespace pulse::engine
