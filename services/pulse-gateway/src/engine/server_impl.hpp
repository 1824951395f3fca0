#pragma once
// engine::Server's insides, for http/ (which hands requests in) and for the sessions (which leave
// the registry when they end). Sessions are registered per shard and only touched on that shard's
// thread; the sid's first character names the shard, so finding a session needs no global lock.
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/deadline_list.hpp"
#include "engine/errors.hpp"
#include "engine/origin_policy.hpp"
#include "engine/reply.hpp"
#include "engine/server.hpp"
#include "http/message.hpp"
#include "http/shard_socket.hpp"

namespace pulse::engine {

class Session;

struct Server::Impl {
    Impl(http::IoShards& shards, ServerOptions options, ConnectionHandler on_connection);

    // ---- entry points for http/, called on the thread of the connection's shard `conn_shard` ----
    // A complete request (polling GET/POST, preflight, or anything refused).
    void handle_request(std::size_t conn_shard, http::Request request,
                        std::shared_ptr<Reply> reply);
    // The body exceeded maxPayload: answered 413, and the session (if any) is closed.
    void handle_oversized(std::size_t conn_shard, http::Request request,
                          std::shared_ptr<Reply> reply);
    // A WebSocket upgrade request; the engine now owns the socket (any buffered bytes were none:
    // a client waits for the 101 before sending frames).
    void handle_upgrade(std::size_t conn_shard, http::Request request, http::ShardSocket socket);
    // The connection of a pending request went away before its answer (a cancelled long poll).
    void request_aborted(const std::string& sid, const Reply* reply);

    // ---- for sessions ----
    void remove(const Session& session);
    // Runs session->deferred_flush() at the end of this I/O tick. One posted handler per shard
    // and tick instead of one per session: a hot-room broadcast touches hundreds of sessions.
    void defer_flush(std::size_t shard, std::shared_ptr<Session> session);
    std::size_t shard_of(const std::string& sid) const;  // npos when malformed
    // The shard's heartbeat: sessions waiting for their next ping (pingInterval) and sessions
    // waiting for a pong (pingTimeout). One timer per list and shard, none per session.
    DeadlineList& ping_deadlines(std::size_t shard) { return shards_[shard]->ping_deadlines; }
    DeadlineList& pong_deadlines(std::size_t shard) { return shards_[shard]->pong_deadlines; }

    http::IoShards& shards;
    const ServerOptions options;
    const ConnectionHandler on_connection;
    const OriginPolicy origins;
    std::atomic<std::size_t> sessions{0};
    std::atomic<bool> stopping{false};

  private:
    struct Shard {
        Shard(boost::asio::io_context& io, const ServerOptions& options);
        // Before `sessions`: a session leaves its list when destroyed, so the lists go last.
        DeadlineList ping_deadlines;
        DeadlineList pong_deadlines;
        // Keyed by a view of the session's own sid (the map owns the session, so the view lives
        // as long as the entry): no second heap copy of every sid.
        std::unordered_map<std::string_view, std::shared_ptr<Session>> sessions;
        std::vector<std::shared_ptr<Session>> to_flush;  // defer_flush, in call order
        std::vector<std::shared_ptr<Session>> flushing;  // the batch being run (capacity kept)
        bool flush_posted = false;
    };
    void run_flushes(std::size_t shard);
    std::string new_sid(std::size_t shard) const;
    std::shared_ptr<Session> find(std::size_t shard, const std::string& sid) const;
    std::shared_ptr<Session> create(std::size_t shard, const http::Request& request);
    void on_shard(std::size_t shard, std::shared_ptr<Reply> reply, http::Request request,
                  bool oversized);
    void upgrade_on_shard(std::size_t shard, http::Request request, http::ShardSocket socket);
    http::Response error_response(ErrorCode code, std::string_view origin) const;

    friend class Server;
    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace pulse::engine
