#pragma once
// The adapter layer: which sockets are in which rooms, for one namespace on one shard. Two maps
// (room -> members, member -> rooms) like socket.io-adapter's in-memory adapter, so both "deliver
// to a room" and "a socket left: drop it everywhere" cost only what they touch.
//
// Single-threaded by design: it lives on one IoShards shard and is touched only by its thread.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pulse::adapter {

// Whatever can receive a pre-encoded Engine.IO text packet: a Socket.IO socket in practice.
class Member {
  public:
    virtual ~Member() = default;
    virtual void deliver(const std::shared_ptr<const std::string>& packet) = 0;
    // How many rooms this member is in (constant time).
    std::size_t room_count() const { return rooms_.size(); }

  private:
    friend class RoomIndex;
    // The member's side of the index, kept in the member itself: its rooms, as pointers to the
    // names the index owns (map nodes never move; a room is erased only once it is empty). A
    // member -> rooms hash map would cost every socket a node, buckets, a set node and a copy of
    // each room name; this is one vector.
    // Hence the rule: a member joins rooms of ONE RoomIndex only (a Socket.IO socket belongs to
    // one namespace on one shard, whose index this is).
    std::vector<const std::string*> rooms_;
};

class RoomIndex {
  public:
    // Returns false when the member already was in the room (joining twice is harmless).
    bool join(Member& member, std::string_view room);
    // Returns false when the member was not in the room.
    bool leave(Member& member, std::string_view room);
    // Removes the member from every room (disconnect).
    void leave_all(Member& member);

    bool contains(const Member& member, std::string_view room) const;
    std::vector<std::string> rooms_of(const Member& member) const;
    std::size_t room_size(std::string_view room) const;
    std::size_t room_count() const { return rooms_.size(); }
    std::size_t member_count() const { return members_; }

    // Sends `packet` once to every member of any of `rooms` (socket.io's `to([a, b])`: a member of
    // two of the rooms gets it once). The packet is shared, never copied. Returns deliveries made.
    std::size_t broadcast(std::span<const std::string> rooms,
                          const std::shared_ptr<const std::string>& packet) const;

  private:
    // Heterogeneous lookup so a string_view finds a room without building a std::string.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Members = std::unordered_set<Member*>;
    std::unordered_map<std::string, Members, Hash, std::equal_to<>> rooms_;
    std::size_t members_ = 0;  // members in at least one room
};

}  // namespace pulse::adapter
