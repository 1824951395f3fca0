#include "engine/sha1.hpp"

#include <cstdint>
#include <cstring>
#include <string>

namespace pulse::engine {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

void compress(std::uint32_t h[5], const unsigned char* block) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i)
        w[i] = (std::uint32_t(block[4 * i]) << 24) | (std::uint32_t(block[4 * i + 1]) << 16) |
               (std::uint32_t(block[4 * i + 2]) << 8) | std::uint32_t(block[4 * i + 3]);
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
        std::uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

}  // namespace

std::array<unsigned char, 20> sha1(std::string_view data) {
    std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    std::size_t i = 0;
    for (; i + 64 <= data.size(); i += 64)
        compress(h, reinterpret_cast<const unsigned char*>(data.data() + i));
    // Padding: 0x80, zeros, then the bit length big-endian in the last 8 bytes.
    unsigned char tail[128] = {};
    const std::size_t rest = data.size() - i;
    std::memcpy(tail, data.data() + i, rest);
    tail[rest] = 0x80;
    const std::size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
    const std::uint64_t bits = std::uint64_t(data.size()) * 8;
    for (int k = 0; k < 8; ++k)
        tail[tail_len - 1 - k] = static_cast<unsigned char>(bits >> (8 * k));
    compress(h, tail);
    if (tail_len == 128) compress(h, tail + 64);
    std::array<unsigned char, 20> out{};
    for (int k = 0; k < 5; ++k) {
        out[4 * k] = static_cast<unsigned char>(h[k] >> 24);
        out[4 * k + 1] = static_cast<unsigned char>(h[k] >> 16);
        out[4 * k + 2] = static_cast<unsigned char>(h[k] >> 8);
        out[4 * k + 3] = static_cast<unsigned char>(h[k]);
    }
    return out;
}

}  // namespace pulse::engine
