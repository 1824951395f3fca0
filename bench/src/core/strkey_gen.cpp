#include "strkey_gen.hpp"

namespace pulse::bench {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::uint8_t kAccountVersion = 6 << 3;

int base32_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
}  // namespace

std::uint16_t crc16_xmodem(const std::uint8_t* data, std::size_t size) {
    std::uint16_t crc = 0;
    for (std::size_t i = 0; i < size; ++i) {
        crc ^= static_cast<std::uint16_t>(data[i]) << 8;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<std::uint16_t>(crc << 1);
        }
    }
    return crc;
}

std::string base32_encode(const std::uint8_t* data, std::size_t size) {
    std::string out;
    out.reserve((size * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int v = base32_value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
            bits -= 8;
        }
    }
    // Leftover bits must be padding zeros and fewer than a byte; otherwise the text was cut.
    if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::string encode_account_strkey(const AccountKey& key) {
    std::array<std::uint8_t, 35> raw{};
    raw[0] = kAccountVersion;
    for (std::size_t i = 0; i < key.size(); ++i) raw[1 + i] = key[i];
    const std::uint16_t crc = crc16_xmodem(raw.data(), 33);
    raw[33] = static_cast<std::uint8_t>(crc & 0xFF);
    raw[34] = static_cast<std::uint8_t>(crc >> 8);
    return base32_encode(raw.data(), raw.size());
}

std::optional<AccountKey> decode_account_strkey(std::string_view strkey) {
    if (strkey.size() != 56) return std::nullopt;
    auto raw = base32_decode(strkey);
    if (!raw || raw->size() != 35) return std::nullopt;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw->data());
    if (bytes[0] != kAccountVersion) return std::nullopt;
    const std::uint16_t crc = crc16_xmodem(bytes, 33);
    if (bytes[33] != (crc & 0xFF) || bytes[34] != (crc >> 8)) return std::nullopt;
    AccountKey key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = bytes[1 + i];
    return key;
}

std::string bench_address(std::uint64_t seed, std::uint32_t index) {
    std::uint64_t state = seed * 0x100000001B3ULL + index;
    AccountKey key{};
    for (std::size_t i = 0; i < key.size(); i += 8) {
        const std::uint64_t word = splitmix64(state);
        for (std::size_t b = 0; b < 8; ++b) key[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
    // The index in the first bytes guarantees distinct keys whatever the hash does.
    key[0] = static_cast<std::uint8_t>(index);
    key[1] = static_cast<std::uint8_t>(index >> 8);
    key[2] = static_cast<std::uint8_t>(index >> 16);
    key[3] = static_cast<std::uint8_t>(index >> 24);
    return encode_account_strkey(key);
}

}  // namespace pulse::bench
