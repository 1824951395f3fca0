#include "engine/address_limit.hpp"

namespace pulse::engine {

bool AddressLimit::acquire(std::string_view address) {
    if (!enabled()) return true;
    const std::lock_guard lock(mu_);
    auto [it, added] = open_.try_emplace(std::string(address), 0);
    if (it->second >= max_) return false;
    ++it->second;
    return true;
}

void AddressLimit::release(std::string_view address) {
    if (!enabled()) return;
    const std::lock_guard lock(mu_);
    auto it = open_.find(std::string(address));
    if (it == open_.end()) return;
    // An address with no session left is forgotten: the table holds only current clients.
    if (--it->second == 0) open_.erase(it);
}

std::size_t AddressLimit::open(std::string_view address) const {
    const std::lock_guard lock(mu_);
    auto it = open_.find(std::string(address));
    return it == open_.end() ? 0 : it->second;
}

}  // namespace pulse::engine
