#pragma once
// One shard's connections that have not completed their first request head, oldest first. When
// accept() runs out of descriptors, the oldest of them are closed to make room: a flood of
// connections that never send a request (slowloris) would otherwise lock every newcomer out until
// the head timeout. Connections past their first head (polling, WebSocket) are never in it.
// Touched by its shard's thread only; the count is read from anywhere.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>

namespace pulse::http {

class IdleHandshakes {
  public:
    class Member {
      public:
        // Closes the connection; it has already left the list.
        virtual void shed() = 0;

      protected:
        ~Member() = default;
    };
    using Position = std::list<Member*>::iterator;

    Position add(Member* member) { return members_.insert(members_.end(), member); }
    void remove(Position position) { members_.erase(position); }
    // Sheds up to `count` of the oldest members; returns how many.
    std::size_t shed_oldest(std::size_t count);

    std::size_t size() const { return members_.size(); }
    std::uint64_t shed_total() const { return shed_total_.load(std::memory_order_relaxed); }

  private:
    std::list<Member*> members_;
    std::atomic<std::uint64_t> shed_total_{0};
};

}  // namespace pulse::http
