#include "strkey_gen.hpp"

#include <vector>

#include "pulse/strkey.hpp"

namespace pulse::bench {
namespace {
std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
}  // namespace

std::string bench_address(std::uint64_t seed, std::uint32_t index) {
    std::uint64_t state = seed * 0x100000001B3ULL + index;
    std::vector<std::uint8_t> key(32);
    for (std::size_t i = 0; i < key.size(); i += 8) {
        const std::uint64_t word = splitmix64(state);
        for (std::size_t b = 0; b < 8; ++b) key[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
    // The index in the first bytes guarantees distinct keys whatever the hash does.
    key[0] = static_cast<std::uint8_t>(index);
    key[1] = static_cast<std::uint8_t>(index >> 8);
    key[2] = static_cast<std::uint8_t>(index >> 16);
    key[3] = static_cast<std::uint8_t>(index >> 24);
    return strkey::encode(strkey::Kind::account, key);
}

}  // namespace pulse::bench
