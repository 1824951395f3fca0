#include "http/idle_handshakes.hpp"

namespace pulse::http {

std::size_t IdleHandshakes::shed_oldest(std::size_t count) {
    std::size_t done = 0;
    while (done < count && !members_.empty()) {
        Member* oldest = members_.front();
        members_.pop_front();  // before shed(): the member must not erase itself again
        oldest->shed();
        ++done;
    }
    shed_total_.fetch_add(done, std::memory_order_relaxed);
    return done;
}

}  // namespace pulse::http
