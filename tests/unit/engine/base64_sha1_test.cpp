#include <catch2/catch.hpp>

#include "engine/base64.hpp"
#include "engine/sha1.hpp"

using namespace pulse::engine;

namespace {
std::string hex(const std::array<unsigned char, 20>& d) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : d) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}
}  // namespace

TEST_CASE("base64 RFC 4648 test vectors", "[engine][base64]") {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (auto [plain, encoded] : vectors) {
        CHECK(base64_encode(plain) == encoded);
        auto back = base64_decode(encoded);
        REQUIRE(back);
        CHECK(*back == plain);
    }
}

TEST_CASE("base64 round trips every byte value", "[engine][base64]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len < all.size(); len += 37) {
        const std::string part = all.substr(0, len);
        auto back = base64_decode(base64_encode(part));
        REQUIRE(back);
        CHECK(*back == part);
    }
}

TEST_CASE("base64 rejects malformed input", "[engine][base64]") {
    CHECK_FALSE(base64_decode("Zg="));   // length
    CHECK_FALSE(base64_decode("Z=g="));  // padding inside
    CHECK_FALSE(base64_decode("=Zg="));
    CHECK_FALSE(base64_decode("Zm9v YmFy"));
    CHECK_FALSE(base64_decode("Zg==Zg=="));  // padding before the end
    CHECK_FALSE(base64_decode("Zm9\x01"));
}

TEST_CASE("sha1 FIPS test vectors", "[engine][sha1]") {
    CHECK(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(hex(sha1(std::string(1000000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    // 55 and 56 bytes straddle the one-block / two-block padding boundary.
    CHECK(hex(sha1(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    CHECK(hex(sha1(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
}
