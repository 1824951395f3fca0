#include "http/idle_handshakes.hpp"

#include <optional>
#include <utility>
#include <vector>

namespace pulse::lifecycle::http {

struct IdleHandshakes::Waiter {
    std::function<void()> shed;
    // Its place in waiters_ while listed (guarded by the list's mutex).
    std::optional<std::list<Ticket>::iterator> position;
};

IdleHandshakes::Ticket IdleHandshakes::join(std::function<void()> shed) {
    auto waiter = std::make_shared<Waiter>();
    waiter->shed = std::move(shed);
    std::lock_guard lock(mutex_);
    waiter->position = waiters_.insert(waiters_.end(), waiter);
    return waiter;
}

void IdleHandshakes::leave(const Ticket& ticket) {
    if (!ticket) return;
    std::lock_guard lock(mutex_);
    if (!ticket->position) return;
    waiters_.erase(*ticket->position);
    ticket->position.reset();
}

std::size_t IdleHandshakes::shed_oldest(std::size_t count) {
    std::vector<Ticket> picked;
    {
        std::lock_guard lock(mutex_);
        while (picked.size() < count && !waiters_.empty()) {
            picked.push_back(std::move(waiters_.front()));
            waiters_.pop_front();
            picked.back()->position.reset();
        }
    }
    // Outside the lock: a callback may run code that leaves or joins.
    for (auto& waiter : picked) waiter->shed();
    return picked.size();
}

std::size_t IdleHandshakes::size() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

}  // namespace pulse::lifecycle::http
