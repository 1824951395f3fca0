#pragma once
// Deterministic valid Stellar account addresses ("G...") for the load client. The bench needs
// thousands of distinct *valid* addresses, because the C++ gateway refuses rooms for invalid ones;
// the SEP-23 encoding itself is pulse_common's (pulse/strkey.hpp), the same code the services use.
#include <cstdint>
#include <string>

namespace pulse::bench {

// A deterministic, distinct address for room `index` of a run seeded with `seed`.
std::string bench_address(std::uint64_t seed, std::uint32_t index);

}  // namespace pulse::bench
