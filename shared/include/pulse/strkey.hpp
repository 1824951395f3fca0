#pragma once
// Stellar StrKey addresses (SEP-23): G... account (ed25519 public key), M... muxed account,
// C... contract. base32 (RFC 4648 alphabet, no padding) of version byte + payload + CRC16-XModem
// (little-endian). Only the canonical spelling is valid: upper case, no padding, zero unused bits.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::strkey {

enum class Kind { account, muxed_account, contract };

struct Check {
    std::optional<Kind> kind;  // set when valid
    std::string error;         // why it is not a valid address, e.g. "bad checksum"
    explicit operator bool() const { return kind.has_value(); }
};

// Validates a G/M/C address. Never throws.
Check check_address(std::string_view text);
inline bool is_valid_address(std::string_view text) {
    return check_address(text).kind.has_value();
}

// CRC16-XModem (poly 0x1021, init 0), as SEP-23 uses for the checksum.
std::uint16_t crc16_xmodem(const std::uint8_t* data, std::size_t size);

// Encodes version byte + payload + checksum (used by tests to build valid and invalid vectors).
std::string encode(Kind kind, const std::vector<std::uint8_t>& payload);

}  // namespace pulse::strkey
