#include "app/presence.hpp"

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

namespace pulse::app {
namespace {

using Json = nlohmann::json;

std::string random_node_id() {
    std::random_device rd;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 16; ++i) id += kHex[rd() % 16];
    return id;
}

// The wire form of a socket's rooms: "a" holds the addresses and, when any is known, "o" the
// join offsets in the same order (a separate key, so that replicas of a version without offsets
// still read "a").
void put_rooms(Json& message, const std::vector<Membership>& rooms) {
    Json addresses = Json::array();
    Json offsets = Json::array();
    bool any_offset = false;
    for (const auto& m : rooms) {
        addresses.push_back(m.address);
        offsets.push_back(m.since);
        any_offset = any_offset || !m.since.empty();
    }
    message["a"] = std::move(addresses);
    if (any_offset) message["o"] = std::move(offsets);
}

// Reads what put_rooms wrote (throws Json::exception on a wrong type); offsets of the wrong
// count or type are dropped rather than misattributed.
std::vector<Membership> get_rooms(const Json& addresses, const Json* offsets) {
    std::vector<Membership> rooms;
    for (auto& a : addresses.get<std::vector<std::string>>())
        rooms.push_back(Membership{std::move(a), {}});
    if (offsets && offsets->is_array() && offsets->size() == rooms.size())
        for (std::size_t i = 0; i < rooms.size(); ++i)
            if ((*offsets)[i].is_string()) rooms[i].since = (*offsets)[i].get<std::string>();
    return rooms;
}

}  // namespace

Presence::Presence(std::string node_id, std::chrono::milliseconds peer_timeout,
                   std::chrono::milliseconds orphan_window)
    : node_id_(node_id.empty() ? random_node_id() : std::move(node_id)),
      peer_timeout_(peer_timeout),
      orphan_window_(orphan_window) {}

void Presence::queue(std::string message) {
    if (linked_) outgoing_.push_back(std::move(message));
}

void Presence::add(const std::string& sid, const std::string& address, std::string since) {
    std::lock_guard lock(mutex_);
    Json message{{"n", node_id_}, {"k", "j"}, {"s", sid}, {"a", address}};
    if (!since.empty()) message["o"] = since;
    local_[sid].push_back(Membership{address, std::move(since)});
    ++counts_[address];
    queue(message.dump());
}

void Presence::remove(const std::string& sid, const std::string& address) {
    std::lock_guard lock(mutex_);
    auto s = local_.find(sid);
    if (s == local_.end()) return;
    auto a = std::find_if(s->second.begin(), s->second.end(),
                          [&](const Membership& m) { return m.address == address; });
    if (a == s->second.end()) return;
    s->second.erase(a);
    if (s->second.empty()) local_.erase(s);
    if (auto it = counts_.find(address); it != counts_.end() && --it->second == 0)
        counts_.erase(it);  // /ws-status never shows a user without sockets
    queue(Json{{"n", node_id_}, {"k", "l"}, {"s", sid}, {"a", address}}.dump());
}

void Presence::disconnect(const std::string& sid, bool recoverable) {
    std::lock_guard lock(mutex_);
    auto s = local_.find(sid);
    if (s == local_.end()) return;
    for (const auto& m : s->second)
        if (auto it = counts_.find(m.address); it != counts_.end() && --it->second == 0)
            counts_.erase(it);
    Json message{{"n", node_id_}, {"k", "d"}, {"s", sid}, {"r", recoverable}};
    put_rooms(message, s->second);
    queue(message.dump());
    local_.erase(s);
}

std::size_t Presence::user_count(Scope scope) const {
    if (scope == Scope::local) {
        std::lock_guard lock(mutex_);
        return counts_.size();
    }
    return connections(scope).size();
}

std::map<std::string, std::size_t> Presence::connections(Scope scope) const {
    std::lock_guard lock(mutex_);
    auto merged = counts_;
    if (scope == Scope::cluster)
        for (const auto& [node, peer] : peers_)
            for (const auto& [sid, rooms] : peer.sockets)
                for (const auto& m : rooms) ++merged[m.address];
    return merged;
}

std::size_t Presence::peer_count() const {
    std::lock_guard lock(mutex_);
    return peers_.size();
}

std::optional<std::vector<Membership>> Presence::claim(const std::string& sid) {
    std::lock_guard lock(mutex_);
    std::optional<std::vector<Membership>> found;
    if (auto o = orphans_.find(sid); o != orphans_.end()) {
        if (o->second.expires >= Clock::now()) found = std::move(o->second.rooms);
        orphans_.erase(o);
    } else {
        for (auto& [node, peer] : peers_) {
            if (auto s = peer.sockets.find(sid); s != peer.sockets.end()) {
                found = std::move(s->second);
                peer.sockets.erase(s);
                break;
            }
        }
    }
    if (found) queue(Json{{"n", node_id_}, {"k", "c"}, {"s", sid}}.dump());
    return found;
}

std::vector<Membership> Presence::memberships(const std::string& sid) const {
    std::lock_guard lock(mutex_);
    auto s = local_.find(sid);
    return s == local_.end() ? std::vector<Membership>() : s->second;
}

void Presence::set_linked(bool linked) {
    std::lock_guard lock(mutex_);
    linked_ = linked;
}

std::vector<std::string> Presence::take_outgoing() {
    std::lock_guard lock(mutex_);
    return std::exchange(outgoing_, {});
}

std::string Presence::snapshot_message() const {
    std::lock_guard lock(mutex_);
    Json sockets = Json::object();
    Json offsets = Json::object();
    for (const auto& [sid, rooms] : local_) {
        Json one;
        put_rooms(one, rooms);
        sockets[sid] = std::move(one["a"]);
        if (one.contains("o")) offsets[sid] = std::move(one["o"]);
    }
    Json message{{"n", node_id_}, {"k", "s"}, {"s", std::move(sockets)}};
    if (!offsets.empty()) message["o"] = std::move(offsets);
    return message.dump();
}

std::string Presence::heartbeat_message() const {
    return Json{{"n", node_id_}, {"k", "h"}}.dump();
}

std::string Presence::goodbye_message() const {
    return Json{{"n", node_id_}, {"k", "b"}}.dump();
}

void Presence::orphan_all(Peer& peer, Clock::time_point now) {
    for (auto& [sid, rooms] : peer.sockets)
        orphans_[sid] = Orphan{std::move(rooms), now + orphan_window_};
    peer.sockets.clear();
}

bool Presence::apply(std::string_view message, Clock::time_point now) {
    Json m = Json::parse(message, nullptr, false);
    if (!m.is_object()) return false;
    auto n = m.find("n");
    auto k = m.find("k");
    if (n == m.end() || k == m.end() || !n->is_string() || !k->is_string()) return false;
    const auto node = n->get<std::string>();
    if (node == node_id_) return true;
    const auto kind = k->get<std::string>();
    std::lock_guard lock(mutex_);
    if (kind == "b") {  // a peer leaving cleanly: what it still holds may resume elsewhere
        if (auto p = peers_.find(node); p != peers_.end()) {
            orphan_all(p->second, now);
            peers_.erase(p);
        }
        return true;
    }
    Peer& peer = peers_[node];
    peer.last_seen = now;
    auto s = m.find("s");
    auto a = m.find("a");
    auto o = m.find("o");
    const Json* offsets = o != m.end() ? &*o : nullptr;
    try {
        if (kind == "h") return true;
        if (kind == "s" && s != m.end() && s->is_object()) {
            std::map<std::string, std::vector<Membership>> sockets;
            for (const auto& [sid, addresses] : s->items()) {
                const Json* since = nullptr;
                if (offsets && offsets->is_object())
                    if (auto it = offsets->find(sid); it != offsets->end()) since = &*it;
                sockets[sid] = get_rooms(addresses, since);
            }
            peer.sockets = std::move(sockets);
        } else if (kind == "j" && s != m.end() && a != m.end()) {
            Membership joined{a->get<std::string>(), {}};
            if (offsets && offsets->is_string()) joined.since = offsets->get<std::string>();
            peer.sockets[s->get<std::string>()].push_back(std::move(joined));
        } else if (kind == "l" && s != m.end() && a != m.end()) {
            auto it = peer.sockets.find(s->get<std::string>());
            if (it == peer.sockets.end()) return true;
            auto& list = it->second;
            const auto address = a->get<std::string>();
            if (auto x = std::find_if(list.begin(), list.end(),
                                      [&](const Membership& r) { return r.address == address; });
                x != list.end())
                list.erase(x);
            if (list.empty()) peer.sockets.erase(it);
        } else if (kind == "d" && s != m.end()) {
            const auto sid = s->get<std::string>();
            peer.sockets.erase(sid);
            auto r = m.find("r");
            if (r != m.end() && r->is_boolean() && r->get<bool>() && a != m.end())
                orphans_[sid] = Orphan{get_rooms(*a, offsets), now + orphan_window_};
        } else if (kind == "c" && s != m.end()) {
            const auto sid = s->get<std::string>();
            orphans_.erase(sid);
            for (auto& [other, p] : peers_)
                if (other != node) p.sockets.erase(sid);
        } else {
            return false;
        }
    } catch (const Json::exception&) {
        return false;
    }
    return true;
}

void Presence::expire(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (auto p = peers_.begin(); p != peers_.end();) {
        if (p->second.last_seen + peer_timeout_ < now) {
            orphan_all(p->second, now);
            p = peers_.erase(p);
        } else {
            ++p;
        }
    }
    for (auto o = orphans_.begin(); o != orphans_.end();)
        o = o->second.expires < now ? orphans_.erase(o) : std::next(o);
}

}  // namespace pulse::app
