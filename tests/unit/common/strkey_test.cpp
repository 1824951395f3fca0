#include <catch2/catch.hpp>

#include <vector>

#include "pulse/strkey.hpp"

using pulse::strkey::check_address;
using pulse::strkey::Kind;

TEST_CASE("StrKey: the SEP-23 valid vectors of the spec", "[strkey]") {
    auto g = check_address("GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ");
    REQUIRE(g);
    CHECK(*g.kind == Kind::account);

    auto c = check_address("CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA");
    REQUIRE(c);
    CHECK(*c.kind == Kind::contract);

    // Muxed accounts over the same key (SEP-23 and js-stellar-base MuxedAccount docs).
    for (const char* m :
         {"MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLK",
          "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAAGZFQ",
          "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAALIWQ"}) {
        INFO(m);
        auto r = check_address(m);
        REQUIRE(r);
        CHECK(*r.kind == Kind::muxed_account);
    }
}

TEST_CASE("StrKey: encode produces what check_address accepts", "[strkey]") {
    std::vector<std::uint8_t> key(32);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 3);
    auto g = pulse::strkey::encode(Kind::account, key);
    CHECK(g.size() == 56);
    CHECK(g.front() == 'G');
    CHECK(check_address(g).kind == Kind::account);
    auto c = pulse::strkey::encode(Kind::contract, key);
    CHECK(c.front() == 'C');
    CHECK(check_address(c).kind == Kind::contract);
    key.resize(40, 0x42);
    auto m = pulse::strkey::encode(Kind::muxed_account, key);
    CHECK(m.size() == 69);
    CHECK(m.front() == 'M');
    CHECK(check_address(m).kind == Kind::muxed_account);
}

TEST_CASE("StrKey: CRC16-XModem known value", "[strkey]") {
    const std::uint8_t text[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    CHECK(pulse::strkey::crc16_xmodem(text, sizeof text) == 0x31C3);
}

TEST_CASE("StrKey: invalid addresses", "[strkey]") {
    struct Case {
        const char* text;
        const char* why;
    };
    const Case cases[] = {
        {"", "empty"},
        {"GAAAAAAAACGC6", "too short (SEP-23: invalid length)"},
        {"GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZA", "one char too many"},
        {"GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSG", "one char too few"},
        {"GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGA", "checksum altered"},
        {"GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSG=", "padding"},
        {"ga7qynf7sowq3glr2bgmzehxavirza4kvwltjjfc7mgxua74p7ujvsgz", "lower case"},
        {"GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSG1", "'1' is not base32"},
        {" GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSG", "leading space"},
        {"SA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ", "S (secret seed) prefix"},
        {"CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ", "G checksum under a C prefix"},
        {"GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA", "C checksum under a G prefix"},
        // 69 chars = 345 bits for 344 bits of data: the last char's low bit must be zero.
        {"MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLL", "unused bit set"},
        {"MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLKA",
         "muxed too long"},
    };
    for (const auto& c : cases) {
        INFO(c.why << ": '" << c.text << "'");
        auto r = check_address(c.text);
        CHECK_FALSE(r);
        CHECK_FALSE(r.error.empty());
    }
}

TEST_CASE("StrKey: a valid G key re-labelled as M (wrong payload length) is refused", "[strkey]") {
    std::vector<std::uint8_t> key(32, 0x11);
    // version byte says muxed (40-byte payload) but only 32 bytes follow: 56 chars, so the length
    // alone is plausible and only the version/length pairing catches it.
    auto bogus = pulse::strkey::encode(Kind::muxed_account, key);
    CHECK(bogus.size() == 56);
    auto r = check_address(bogus);
    CHECK_FALSE(r);
    CHECK(r.error == "wrong length for its version byte");
}

TEST_CASE("StrKey: every single-character change of a valid key is refused", "[strkey]") {
    const std::string valid = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    int refused = 0, tried = 0;
    for (std::size_t i = 1; i < valid.size(); ++i) {
        for (char c : alphabet) {
            if (c == valid[i]) continue;
            std::string mutated = valid;
            mutated[i] = c;
            ++tried;
            if (!check_address(mutated)) ++refused;
        }
    }
    // CRC16 detects every single-symbol (<= 5-bit burst) error.
    CHECK(refused == tried);
}
