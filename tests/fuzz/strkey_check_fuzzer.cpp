// Fuzzes the StrKey address check two ways. The input as an address: check_address never
// crashes, and what it accepts has a valid length and the kind its first letter names. The
// input as a key: encode() of the input's bytes (as a G, M or C payload) is accepted with that
// kind, and stops being accepted when one of its characters changes (the checksum and the
// canonical spelling must catch every single-character change).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pulse/strkey.hpp"

namespace {

using pulse::strkey::Kind;

void check_as_address(std::string_view text) {
    const auto check = pulse::strkey::check_address(text);
    if (!check) return;
    if (text.size() != 56 && text.size() != 69) std::abort();
    const Kind named = text[0] == 'G'   ? Kind::account
                       : text[0] == 'M' ? Kind::muxed_account
                                        : Kind::contract;
    if (text[0] != 'G' && text[0] != 'M' && text[0] != 'C') std::abort();
    if (*check.kind != named) std::abort();
}

void check_as_key(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return;
    const Kind kind = data[0] % 3 == 0   ? Kind::account
                      : data[0] % 3 == 1 ? Kind::muxed_account
                                         : Kind::contract;
    const std::size_t payload_size = kind == Kind::muxed_account ? 40 : 32;
    std::vector<std::uint8_t> payload(payload_size);
    for (std::size_t i = 0; i < payload_size; ++i) payload[i] = data[1 + i % (size - 1)];
    std::string text = pulse::strkey::encode(kind, payload);
    const auto check = pulse::strkey::check_address(text);
    if (!check || *check.kind != kind) std::abort();
    // One character changed, at a place and to a letter the input picks.
    const std::size_t at = data[size - 1] % text.size();
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const char replacement = kAlphabet[data[size / 2] % 32];
    if (replacement == text[at]) return;
    text[at] = replacement;
    if (pulse::strkey::check_address(text)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    check_as_address(std::string_view(reinterpret_cast<const char*>(data), size));
    check_as_key(data, size);
    return 0;
}
