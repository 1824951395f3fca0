#include "adapter/room_index.hpp"

#include <algorithm>

namespace pulse::adapter {

bool RoomIndex::join(Member& member, std::string_view room) {
    // Room first (may allocate), then the member's slot (may allocate), and only then the two
    // links that cannot fail: an allocation failure leaves neither side pointing at the other.
    auto rit = rooms_.find(room);
    const bool new_room = rit == rooms_.end();
    if (new_room) rit = rooms_.try_emplace(std::string(room)).first;
    if (rit->second.contains(&member)) return false;
    try {
        member.rooms_.reserve(member.rooms_.size() + 1);
        rit->second.insert(&member);
    } catch (...) {
        if (new_room) rooms_.erase(rit);
        throw;
    }
    if (member.rooms_.empty()) ++members_;
    member.rooms_.push_back(&rit->first);  // capacity reserved: does not throw
    return true;
}

bool RoomIndex::leave(Member& member, std::string_view room) {
    auto rit = rooms_.find(room);
    if (rit == rooms_.end() || rit->second.erase(&member) == 0) return false;
    auto& mine = member.rooms_;
    if (auto it = std::find(mine.begin(), mine.end(), &rit->first); it != mine.end())
        mine.erase(it);
    if (mine.empty()) {
        mine.shrink_to_fit();
        --members_;
    }
    if (rit->second.empty()) rooms_.erase(rit);  // empty rooms would leak one entry per address
    return true;
}

void RoomIndex::leave_all(Member& member) {
    if (member.rooms_.empty()) return;
    for (const std::string* name : member.rooms_) {
        auto rit = rooms_.find(*name);
        if (rit == rooms_.end()) continue;
        rit->second.erase(&member);
        if (rit->second.empty()) rooms_.erase(rit);  // `name` dies here: not used again
    }
    member.rooms_ = {};
    --members_;
}

bool RoomIndex::contains(const Member& member, std::string_view room) const {
    return std::any_of(member.rooms_.begin(), member.rooms_.end(),
                       [room](const std::string* name) { return *name == room; });
}

std::vector<std::string> RoomIndex::rooms_of(const Member& member) const {
    std::vector<std::string> out;
    out.reserve(member.rooms_.size());
    for (const std::string* name : member.rooms_) out.push_back(*name);
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
