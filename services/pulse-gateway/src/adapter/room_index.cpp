#include "adapter/room_index.hpp"

#include <algorithm>

namespace pulse::adapter {

bool RoomIndex::join(Member& member, std::string_view room) {
    auto [rit, inserted_room] = rooms_.try_emplace(std::string(room));
    (void)inserted_room;
    if (!rit->second.insert(&member).second) return false;
    members_[&member].emplace(room);
    return true;
}

bool RoomIndex::leave(Member& member, std::string_view room) {
    auto rit = rooms_.find(room);
    if (rit == rooms_.end() || rit->second.erase(&member) == 0) return false;
    if (rit->second.empty()) rooms_.erase(rit);  // empty rooms would leak one entry per address
    auto mit = members_.find(&member);
    if (mit != members_.end()) {
        auto room_it = mit->second.find(room);
        if (room_it != mit->second.end()) mit->second.erase(room_it);
        if (mit->second.empty()) members_.erase(mit);
    }
    return true;
}

void RoomIndex::leave_all(Member& member) {
    auto mit = members_.find(&member);
    if (mit == members_.end()) return;
    for (const auto& room : mit->second) {
        auto rit = rooms_.find(room);
        if (rit == rooms_.end()) continue;
        rit->second.erase(&member);
        if (rit->second.empty()) rooms_.erase(rit);
    }
    members_.erase(mit);
}

bool RoomIndex::contains(const Member& member, std::string_view room) const {
    auto mit = members_.find(&member);
    return mit != members_.end() && mit->second.find(room) != mit->second.end();
}

std::vector<std::string> RoomIndex::rooms_of(const Member& member) const {
    std::vector<std::string> out;
    auto mit = members_.find(&member);
    if (mit != members_.end()) out.assign(mit->second.begin(), mit->second.end());
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t RoomIndex::room_size(std::string_view room) const {
    auto rit = rooms_.find(room);
    return rit == rooms_.end() ? 0 : rit->second.size();
}

std::size_t RoomIndex::broadcast(std::span<const std::string> rooms,
                                 const std::shared_ptr<const std::string>& packet) const {
    // The common cases first: no room of ours is concerned, or exactly one is (then no
    // de-duplication is needed at all).
    const Members* only = nullptr;
    std::size_t concerned = 0;
    for (const auto& room : rooms) {
        auto rit = rooms_.find(room);
        if (rit == rooms_.end()) continue;
        if (only != &rit->second) {
            ++concerned;
            only = &rit->second;
        }
    }
    if (concerned == 0) return 0;
    if (concerned == 1) {
        for (Member* m : *only) m->deliver(packet);
        return only->size();
    }
    // Several rooms: collect, sort, unique, so a member of two rooms gets the event once.
    std::vector<Member*> targets;
    for (const auto& room : rooms) {
        auto rit = rooms_.find(room);
        if (rit != rooms_.end())
            targets.insert(targets.end(), rit->second.begin(), rit->second.end());
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (Member* m : targets) m->deliver(packet);
    return targets.size();
}

}  // namespace pulse::adapter
