#include "sio/recovery.hpp"

#include <algorithm>
#include <charconv>

#include "sio/recovery_credential.hpp"
#include "sio/socket_id.hpp"

namespace pulse::sio {

std::string format_offset(const Offset& offset) {
    return offset.epoch + ":" + std::to_string(offset.seq);
}

std::optional<Offset> parse_offset(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    Offset o;
    o.epoch = std::string(text.substr(0, colon));
    const auto digits = text.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), o.seq);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || o.seq < 0) return std::nullopt;
    return o;
}

RecoveryStore::RecoveryStore(std::size_t shards, std::chrono::milliseconds window,
                             std::size_t max_events)
    : window_(window), max_events_(max_events), last_(shards) {}

void RecoveryStore::set_cluster(const RecoveryCredential* credential, RemoteClaim claim) {
    credential_ = credential;
    claim_ = std::move(claim);
}

std::string RecoveryStore::issue_pid(const std::string& sid) const {
    return credential_ ? credential_->issue(sid) : make_socket_id();
}

void RecoveryStore::prune(Clock::time_point now) {
    while (!history_.empty() &&
           (history_.size() > max_events_ || history_.front().when + window_ < now))
        history_.pop_front();
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = it->second.expires < now ? sessions_.erase(it) : std::next(it);
}

void RecoveryStore::record(const Offset& at, std::shared_ptr<const std::vector<std::string>> rooms,
                           std::shared_ptr<const std::string> packet) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    history_.push_back(Entry{at, std::move(rooms), std::move(packet), now});
    if (history_.size() > max_events_ || history_.front().when + window_ < now) prune(now);
}

void RecoveryStore::save(const std::string& pid, std::string sid, std::vector<std::string> rooms,
                         Offset seen) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    sessions_[pid] = Saved{std::move(sid), std::move(rooms), std::move(seen), now + window_};
}

std::optional<RecoveryStore::Restored> RecoveryStore::restore(
    std::size_t shard, const std::string& pid, const std::optional<Offset>& client_offset) {
    const auto now = Clock::now();
    // Everything up to `upto` was broadcast on this shard while the client was away; later events
    // reach it normally once it has re-joined its rooms (same thread, so nothing in between).
    const Offset upto = last_[shard];
    std::optional<Saved> found;
    {
        std::lock_guard lock(mutex_);
        if (auto it = sessions_.find(pid); it != sessions_.end()) {
            found = std::move(it->second);
            sessions_.erase(it);
        }
    }
    if (!found) {
        // Another replica held the session: only a valid credential with the client's offset
        // (without it there is no telling what it missed) and rooms a peer reported.
        if (!credential_ || !claim_ || !client_offset) return std::nullopt;
        auto sid = credential_->verify(pid);
        if (!sid) return std::nullopt;
        auto rooms = claim_(*sid);
        if (!rooms) return std::nullopt;
        found = Saved{std::move(*sid), std::move(*rooms), *client_offset, now + window_};
    }
    std::lock_guard lock(mutex_);
    Saved saved = std::move(*found);
    if (saved.expires < now) return std::nullopt;

    // The client's own offset is the most precise (events in flight when the transport dropped
    // count as missed); without one, what had been processed for it at the disconnect.
    const Offset from = client_offset ? *client_offset : saved.seen;
    Restored r;
    r.sid = std::move(saved.sid);
    r.rooms = std::move(saved.rooms);
    // The client saw more than this shard has delivered (its old replica was ahead of us): the
    // events in between would reach it twice. Rare (a reconnect takes longer than the bus lag);
    // refused rather than duplicated.
    if (from.epoch == upto.epoch && from.seq > upto.seq) return std::nullopt;
    if (upto.epoch.empty() || (from.epoch == upto.epoch && from.seq == upto.seq))
        return r;  // nothing was broadcast meanwhile
    if (!from.epoch.empty() && from.epoch != upto.epoch) return std::nullopt;  // another database

    // The history must still hold every event after `from` (the next seq onwards).
    auto first = std::find_if(history_.begin(), history_.end(),
                              [&](const Entry& e) { return e.at.epoch == upto.epoch; });
    if (!from.epoch.empty() && (first == history_.end() || first->at.seq > from.seq + 1))
        return std::nullopt;
    for (auto e = first; e != history_.end(); ++e) {
        if (e->at.epoch != upto.epoch || e->at.seq <= from.seq || e->at.seq > upto.seq) continue;
        const bool concerned =
            std::any_of(e->rooms->begin(), e->rooms->end(), [&](const auto& room) {
                return std::find(r.rooms.begin(), r.rooms.end(), room) != r.rooms.end();
            });
        if (concerned) r.missed.push_back(e->packet);
    }
    return r;
}

}  // namespace pulse::sio
