#include "sio/socket_id.hpp"

#include <sys/random.h>

#include <cstddef>
#include <cstdint>

namespace pulse::sio {
namespace {

// Bytes from the kernel's CSPRNG (getrandom), buffered per thread so that a connect costs a
// system call only once every few hundred ids. A seeded PRNG (mt19937) would let a client that
// sees enough of its own ids predict the next ones, and the socket id is the recovery pid when
// no recovery key is configured.
class RandomBytes {
  public:
    std::uint8_t next() {
        if (used_ == sizeof buffer_) refill();
        return buffer_[used_++];
    }

  private:
    void refill() {
        std::size_t got = 0;
        while (got < sizeof buffer_) {
            const ssize_t n = getrandom(buffer_ + got, sizeof buffer_ - got, 0);
            if (n > 0) got += static_cast<std::size_t>(n);
        }
        used_ = 0;
    }
    std::uint8_t buffer_[512];
    std::size_t used_ = sizeof buffer_;
};

}  // namespace

std::string make_socket_id() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // One buffer per shard thread: no lock on the connect path. 20 characters, 6 random bits each.
    thread_local RandomBytes random;
    std::string id(20, '\0');
    for (auto& c : id) c = alphabet[random.next() & 63];
    return id;
}

}  // namespace pulse::sio
