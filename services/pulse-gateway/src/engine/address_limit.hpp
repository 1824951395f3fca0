#pragma once
// The connections-per-client-address limit: how many Engine.IO sessions each client address
// (http::Request::remote_address, the peer or what a trusted proxy forwarded) holds open, across
// all shards. A handshake takes a slot, the session's end gives it back. One mutex: it is taken
// once per handshake and once per session end, never on the delivery path.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pulse::engine {

class AddressLimit {
  public:
    explicit AddressLimit(std::size_t max_per_address) : max_(max_per_address) {}

    bool enabled() const { return max_ != 0; }
    // Takes a slot for `address`; false (nothing taken) when it already holds the maximum.
    // Always true when disabled.
    bool acquire(std::string_view address);
    // Gives back a slot acquire() took (nothing when disabled).
    void release(std::string_view address);
    std::size_t open(std::string_view address) const;  // for tests

  private:
    const std::size_t max_;  // 0: no limit, nothing is counted
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::uint32_t> open_;  // addresses with at least one slot
};

}  // namespace pulse::engine
