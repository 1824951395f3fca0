#include "pulse/presence.hpp"

namespace pulse::app {

void Presence::add(const std::string& address) {
    std::lock_guard lock(mutex_);
    ++counts_[address];
}

void Presence::remove(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(address);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);  // /ws-status never shows a user without sockets
}

std::size_t Presence::user_count() const {
    std::lock_guard lock(mutex_);
    return counts_.size();
}

std::map<std::string, std::size_t> Presence::connections() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

}  // namespace pulse::app
