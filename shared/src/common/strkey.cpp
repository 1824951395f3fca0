#include "pulse/strkey.hpp"

#include <array>

namespace pulse::strkey {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Version bytes: the key type in the top 5 bits (SEP-23 table).
constexpr std::uint8_t kVersionAccount = 6 << 3;   // 'G'
constexpr std::uint8_t kVersionMuxed = 12 << 3;    // 'M'
constexpr std::uint8_t kVersionContract = 2 << 3;  // 'C'

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kMuxedBytes = 32 + 8;  // ed25519 key + 64-bit memo id

int decode_char(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

std::uint8_t version_of(Kind kind) {
    switch (kind) {
        case Kind::account:
            return kVersionAccount;
        case Kind::muxed_account:
            return kVersionMuxed;
        case Kind::contract:
            return kVersionContract;
    }
    return kVersionAccount;
}

// CRC16-XModem a byte at a time: the remainder of each byte value, computed at compile time.
constexpr std::array<std::uint16_t, 256> make_crc_table() {
    std::array<std::uint16_t, 256> table{};
    for (std::size_t byte = 0; byte < 256; ++byte) {
        auto crc = static_cast<std::uint16_t>(byte << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<std::uint16_t>(crc << 1);
        table[byte] = crc;
    }
    return table;
}
constexpr auto kCrcTable = make_crc_table();

Check invalid(std::string why) {
    return Check{std::nullopt, std::move(why)};
}

}  // namespace

std::uint16_t crc16_xmodem(const std::uint8_t* data, std::size_t size) {
    std::uint16_t crc = 0;
    for (std::size_t i = 0; i < size; ++i)
        crc = static_cast<std::uint16_t>((crc << 8) ^ kCrcTable[(crc >> 8) ^ data[i]]);
    return crc;
}

std::string encode(Kind kind, const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> raw;
    raw.push_back(version_of(kind));
    raw.insert(raw.end(), payload.begin(), payload.end());
    const std::uint16_t crc = crc16_xmodem(raw.data(), raw.size());
    raw.push_back(static_cast<std::uint8_t>(crc & 0xff));
    raw.push_back(static_cast<std::uint8_t>(crc >> 8));
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::uint8_t byte : raw) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

Check check_address(std::string_view text) {
    // Lengths follow from the payload: 1 + 32 + 2 bytes -> 56 chars; 1 + 40 + 2 -> 69 chars.
    if (text.size() != 56 && text.size() != 69) return invalid("wrong length");
    // Decoded on the stack (at most 69 * 5 / 8 = 43 bytes): this runs twice per created stream.
    std::array<std::uint8_t, 69 * 5 / 8> raw{};
    std::size_t size = 0;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int value = decode_char(c);
        if (value < 0) return invalid("not base32 (A-Z, 2-7, no padding)");
        buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            raw[size++] = static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    // Non-zero leftover bits would give one key two spellings (SEP-23 forbids it).
    if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return invalid("non-zero unused bits");

    Kind kind;
    std::size_t payload;
    switch (raw[0]) {
        case kVersionAccount:
            kind = Kind::account, payload = kKeyBytes;
            break;
        case kVersionMuxed:
            kind = Kind::muxed_account, payload = kMuxedBytes;
            break;
        case kVersionContract:
            kind = Kind::contract, payload = kKeyBytes;
            break;
        default:
            return invalid("unsupported version byte (expected G, M or C)");
    }
    if (size != 1 + payload + 2) return invalid("wrong length for its version byte");
    const std::uint16_t expected = crc16_xmodem(raw.data(), size - 2);
    const std::uint16_t actual = static_cast<std::uint16_t>(raw[size - 2] | (raw[size - 1] << 8));
    if (expected != actual) return invalid("bad checksum");
    return Check{kind, {}};
}

}  // namespace pulse::strkey
