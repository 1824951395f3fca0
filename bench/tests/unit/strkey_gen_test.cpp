#include <catch2/catch.hpp>
#include <set>

#include "core/strkey_gen.hpp"

using namespace pulse::bench;

TEST_CASE("crc16-xmodem matches the standard check value") {
    const std::string check = "123456789";
    REQUIRE(crc16_xmodem(reinterpret_cast<const std::uint8_t*>(check.data()), check.size()) ==
            0x31C3);
}

TEST_CASE("base32 round-trips and matches RFC 4648 vectors") {
    const std::string foobar = "foobar";
    REQUIRE(base32_encode(reinterpret_cast<const std::uint8_t*>(foobar.data()), 6) == "MZXW6YTBOI");
    REQUIRE(base32_decode("MZXW6YTBOI") == std::optional<std::string>("foobar"));
    REQUIRE_FALSE(base32_decode("MZXW6YTB0I").has_value());  // '0' is not in the alphabet
}

TEST_CASE("SEP-23 account vector decodes and re-encodes to itself") {
    const std::string valid = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
    auto key = decode_account_strkey(valid);
    REQUIRE(key.has_value());
    REQUIRE(encode_account_strkey(*key) == valid);
}

TEST_CASE("invalid StrKeys are refused") {
    // Last character changed: checksum no longer matches.
    REQUIRE_FALSE(
        decode_account_strkey("GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGA"));
    // A contract key (C...) is valid StrKey but not an account.
    REQUIRE_FALSE(
        decode_account_strkey("CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA"));
    REQUIRE_FALSE(decode_account_strkey("GA7QYNF7"));
}

TEST_CASE("bench addresses are valid, distinct and deterministic") {
    std::set<std::string> seen;
    for (std::uint32_t i = 0; i < 2000; ++i) {
        const std::string a = bench_address(7, i);
        REQUIRE(a.size() == 56);
        REQUIRE(a[0] == 'G');
        REQUIRE(decode_account_strkey(a).has_value());
        seen.insert(a);
    }
    REQUIRE(seen.size() == 2000);
    REQUIRE(bench_address(7, 42) == bench_address(7, 42));
    REQUIRE(bench_address(7, 42) != bench_address(8, 42));
}
