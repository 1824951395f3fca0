#pragma once
// A per-client request counter over fixed one-second windows, for the abuse limits that count
// what one client sends (Socket.IO packets per connection, joins per socket). Four bytes, so the
// objects that hold one (one per connection or socket) keep it in their padding: a limit costs
// no allocation per idle client.
#include <chrono>
#include <cstdint>

namespace pulse::sio {

class RateWindow {
  public:
    // Counts one request now; true when it is past `limit` requests in the current second.
    // `limit` 0: no limit (nothing is counted).
    bool over(std::uint32_t limit) {
        if (limit == 0) return false;
        // The low 16 bits of the second suffice: a window only has to differ from the previous
        // one a client used; the same value 18 hours later at worst carries one count over.
        const auto now =
            static_cast<std::uint16_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::steady_clock::now().time_since_epoch())
                                           .count());
        if (now != second_) {
            second_ = now;
            count_ = 0;
        }
        if (count_ < UINT16_MAX) ++count_;
        return count_ > limit;
    }

  private:
    std::uint16_t second_ = 0;
    std::uint16_t count_ = 0;
};

}  // namespace pulse::sio
