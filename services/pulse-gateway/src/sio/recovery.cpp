#include "sio/recovery.hpp"

#include <algorithm>
#include <charconv>

#include "sio/recovery_credential.hpp"
#include "sio/socket_id.hpp"

namespace pulse::sio {

std::string format_offset(const Offset& offset) {
    if (offset.epoch.empty()) return {};
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

const char* to_string(RestoreRefusal why) {
    switch (why) {
        case RestoreRefusal::unknown_session:
            return "unknown session";
        case RestoreRefusal::no_room_report:
            return "no room report from a peer";
        case RestoreRefusal::no_offset:
            return "no offset from the client or the peer";
        case RestoreRefusal::expired:
            return "expired";
        case RestoreRefusal::ahead_of_shard:
            return "client ahead of this replica";
        case RestoreRefusal::other_database:
            return "offset from another database";
        case RestoreRefusal::history_gone:
            return "history no longer covers the gap";
    }
    return "?";
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
    std::vector<Offset> since;
    if (join_offsets_) since = join_offsets_(sid, rooms);
    std::lock_guard lock(mutex_);
    sessions_[pid] =
        Saved{std::move(sid), std::move(rooms), std::move(since), std::move(seen), now + window_};
}

namespace {

// The later of two offsets of one database; an empty one is no information.
Offset later(const Offset& a, const Offset& b) {
    if (a.epoch.empty()) return b;
    if (b.epoch.empty() || a.epoch != b.epoch) return a;
    return a.seq >= b.seq ? a : b;
}

}  // namespace

std::optional<RecoveryStore::Restored> RecoveryStore::restore(
    std::size_t shard, const std::string& pid, const std::optional<Offset>& client_offset,
    RestoreRefusal* why) {
    const auto refuse = [why](RestoreRefusal reason) {
        if (why) *why = reason;
        return std::nullopt;
    };
    const auto now = Clock::now();
    // Everything up to `upto` was broadcast on this shard while the client was away; later events
    // reach it normally once it has re-joined its rooms (same thread, so nothing in between).
    const Offset upto = last_[shard];

    std::unique_lock lock(mutex_);
    auto it = sessions_.find(pid);
    if (it == sessions_.end()) {
        // Another replica held the session: a valid credential, and rooms a peer reported. The
        // claim is kept here from now on, so that a resume that waits for the bus finds it again.
        lock.unlock();
        if (!credential_ || !claim_) return refuse(RestoreRefusal::unknown_session);
        auto sid = credential_->verify(pid);
        if (!sid) return refuse(RestoreRefusal::unknown_session);
        auto claimed = claim_(*sid);
        if (!claimed) return refuse(RestoreRefusal::no_room_report);
        Saved remote{std::move(*sid), {}, {}, Offset{}, now + window_, true};
        for (auto& c : *claimed) {
            remote.rooms.push_back(std::move(c.room));
            remote.since.push_back(std::move(c.since));
        }
        lock.lock();
        it = sessions_.insert_or_assign(pid, std::move(remote)).first;
    }
    const Saved& saved = it->second;
    if (saved.expires < now) {
        sessions_.erase(it);
        return refuse(RestoreRefusal::expired);
    }

    // Per room, the last event the client has or did not need: its own offset when it sent one
    // (the most precise: events in flight when the transport dropped count as missed), never one
    // from before it joined the room. Without an offset it has had no broadcast at all: the
    // room's join offset, else (not known) what had been sent to it until the disconnect.
    std::vector<Offset> from(saved.rooms.size());
    for (std::size_t i = 0; i < from.size(); ++i) {
        const Offset since = i < saved.since.size() ? saved.since[i] : Offset{};
        if (client_offset)
            from[i] = later(*client_offset, since);
        else
            from[i] = since.epoch.empty() ? saved.seen : since;
    }
    const bool unknown =
        std::any_of(from.begin(), from.end(), [](const Offset& o) { return o.epoch.empty(); });
    if (saved.remote && unknown) {
        sessions_.erase(it);
        return refuse(RestoreRefusal::no_offset);
    }
    if (upto.epoch.empty()) {
        // Nothing was broadcast on this shard yet. Its own clients joined after this replica
        // subscribed, so they missed nothing. A peer's client has an event from the peer that
        // never reached this shard, and events published before this replica subscribed never
        // will: what it missed is unknown here. Wait for the bus like a client ahead of this
        // shard; the first event that arrives then decides (the history check below).
        if (saved.remote) return refuse(RestoreRefusal::ahead_of_shard);
    } else {
        for (const Offset& o : from) {
            if (o.epoch.empty()) continue;
            if (o.epoch != upto.epoch) {
                sessions_.erase(it);
                return refuse(RestoreRefusal::other_database);
            }
            // The client has (or skipped) events this shard has not delivered yet: they would
            // reach it twice. Kept for a retry once the bus has brought them here.
            if (o.seq > upto.seq) return refuse(RestoreRefusal::ahead_of_shard);
        }
    }

    Restored r{saved.sid, saved.rooms, {}, from};
    sessions_.erase(it);
    if (upto.epoch.empty()) return r;

    // The history must still hold every event after the earliest `from` (the next seq onwards).
    auto first = std::find_if(history_.begin(), history_.end(),
                              [&](const Entry& e) { return e.at.epoch == upto.epoch; });
    if (!unknown) {
        const auto earliest =
            std::min_element(from.begin(), from.end(),
                             [](const Offset& a, const Offset& b) { return a.seq < b.seq; });
        if (earliest != from.end() && (first == history_.end() ? earliest->seq < upto.seq
                                                               : first->at.seq > earliest->seq + 1))
            return refuse(RestoreRefusal::history_gone);
    }
    for (auto e = first; e != history_.end(); ++e) {
        if (e->at.epoch != upto.epoch || e->at.seq > upto.seq) continue;
        bool concerned = false;
        for (std::size_t i = 0; i < r.rooms.size() && !concerned; ++i)
            concerned =
                (from[i].epoch.empty() || e->at.seq > from[i].seq) &&
                std::find(e->rooms->begin(), e->rooms->end(), r.rooms[i]) != e->rooms->end();
        if (concerned) r.missed.push_back(e->packet);
    }
    return r;
}

}  // namespace pulse::sio
