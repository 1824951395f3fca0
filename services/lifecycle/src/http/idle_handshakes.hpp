#pragma once
// The connections that have not completed their first request head, oldest first. When accept()
// runs out of descriptors the oldest of them are closed, so that the connections queued behind
// them (a real client among them) get a descriptor now rather than after the head timeout: a
// flood of silent connections cannot lock every newcomer out. A connection leaves the list at its
// first head (or when it fails or ends) and is never shed after that: a request in progress or a
// keep-alive connection idle between requests is safe.
// Sessions may run on strands of several I/O threads and the accept loop on any of them, so the
// list is guarded by a mutex; `shed` callbacks run outside it (they post the close to the
// session's executor).
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace pulse::lifecycle::http {

class IdleHandshakes {
  public:
    struct Waiter;
    using Ticket = std::shared_ptr<Waiter>;

    // Adds a connection as the newest; `shed` is called once if it is picked by shed_oldest().
    Ticket join(std::function<void()> shed);
    // The connection got its first head, failed or ended: it cannot be picked any more.
    // Calling it again, or after the connection was picked, does nothing.
    void leave(const Ticket& ticket);
    // Takes up to `count` of the oldest connections out of the list and calls their `shed`;
    // returns how many.
    std::size_t shed_oldest(std::size_t count);
    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::list<Ticket> waiters_;
};

}  // namespace pulse::lifecycle::http
