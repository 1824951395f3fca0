#pragma once
// Stellar StrKey (SEP-23) for account ids ("G..."): version byte 6<<3, 32-byte ed25519 key,
// CRC16-XModem of both, little-endian, then RFC 4648 base32 without padding (56 characters).
// The bench needs thousands of distinct *valid* addresses, because the C++ gateway refuses
// rooms for invalid ones.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::bench {

std::uint16_t crc16_xmodem(const std::uint8_t* data, std::size_t size);
std::string base32_encode(const std::uint8_t* data, std::size_t size);
// Empty optional for characters outside A-Z2-7 or a length that cannot be base32.
std::optional<std::string> base32_decode(std::string_view text);

using AccountKey = std::array<std::uint8_t, 32>;
std::string encode_account_strkey(const AccountKey& key);
// The key of a valid "G..." StrKey; empty for a wrong length, version or checksum.
std::optional<AccountKey> decode_account_strkey(std::string_view strkey);

// A deterministic, distinct address for room `index` of a run seeded with `seed`.
std::string bench_address(std::uint64_t seed, std::uint32_t index);

}  // namespace pulse::bench
