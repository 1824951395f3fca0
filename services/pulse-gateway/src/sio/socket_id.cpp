#include "sio/socket_id.hpp"

#include <random>

namespace pulse::sio {

std::string make_socket_id() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // One generator per shard thread: no lock on the connect path.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string id(20, '\0');
    std::uint64_t bits = 0;
    int left = 0;
    for (auto& c : id) {
        if (left < 6) {
            bits = rng();
            left = 64;
        }
        c = alphabet[bits & 63];
        bits >>= 6;
        left -= 6;
    }
    return id;
}

}  // namespace pulse::sio
