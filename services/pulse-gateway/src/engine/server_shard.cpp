#include "engine/server_shard.hpp"

#include <boost/asio/post.hpp>

#include "engine/address_limit.hpp"
#include "engine/session.hpp"

namespace pulse::engine {

ServerShard::ServerShard(boost::asio::io_context& io, std::size_t index,
                         const ServerOptions& options, const OriginPolicy& origins,
                         std::atomic<std::size_t>& open_sessions, AddressLimit& addresses)
    : io_(io),
      index_(index),
      options_(options),
      origins_(origins),
      open_sessions_(open_sessions),
      addresses_(addresses),
      ping_deadlines_(io, options.ping_interval, &Session::on_heartbeat_due),
      pong_deadlines_(io, options.ping_timeout, &Session::on_heartbeat_due) {}

void ServerShard::defer_flush(std::shared_ptr<Session> session) {
    to_flush_.push_back(std::move(session));
    if (flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(io_, [this] { run_flushes(); });
}

void ServerShard::run_flushes() {
    flush_posted_ = false;
    // Swap, not iterate in place: a flush may defer another one (it lands in the next tick).
    flushing_.swap(to_flush_);
    for (auto& session : flushing_) session->deferred_flush();
    flushing_.clear();
}

void ServerShard::add(std::shared_ptr<Session> session) {
    const std::string_view sid = session->id();
    sessions_.emplace(sid, std::move(session));
    open_sessions_.fetch_add(1);
    ShardStats::add(stats_.opened);
}

void ServerShard::remove(const Session& session) {
    auto it = sessions_.find(session.id());
    if (it != sessions_.end() && it->second.get() == &session) {
        // Every session in the table took its address's slot at the handshake (Server::Impl);
        // a lingering one gave it back in linger().
        addresses_.release(session.request().remote_address);
        sessions_.erase(it);
        open_sessions_.fetch_sub(1);
        return;
    }
    auto old = lingering_.find(session.id());
    if (old != lingering_.end() && old->second.get() == &session) lingering_.erase(old);
}

void ServerShard::linger(const Session& session) {
    auto it = sessions_.find(session.id());
    if (it == sessions_.end() || it->second.get() != &session) return;
    // It has ended (only its last answer waits): its address's slot is free again.
    addresses_.release(session.request().remote_address);
    auto owned = std::move(it->second);
    sessions_.erase(it);
    open_sessions_.fetch_sub(1);
    const std::string_view sid = owned->id();
    lingering_.emplace(sid, std::move(owned));  // sids are unique: never an existing key
}

std::shared_ptr<Session> ServerShard::find_lingering(std::string_view sid) const {
    auto it = lingering_.find(sid);
    return it == lingering_.end() ? nullptr : it->second;
}

std::shared_ptr<Session> ServerShard::find(std::string_view sid) const {
    auto it = sessions_.find(sid);
    return it == sessions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Session>> ServerShard::sessions() const {
    std::vector<std::shared_ptr<Session>> out;
    out.reserve(sessions_.size());
    for (const auto& [sid, s] : sessions_) out.push_back(s);
    return out;
}

}  // namespace pulse::engine
