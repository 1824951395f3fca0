#include <catch2/catch.hpp>

#include "pulse/jwt/base64url.hpp"

using pulse::jwt::base64url_decode;
using pulse::jwt::base64url_encode;

TEST_CASE("base64url: RFC 4648 vectors without padding", "[jwt][base64url]") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (auto [plain, encoded] : vectors) {
        INFO(plain);
        CHECK(base64url_encode(plain) == encoded);
        auto decoded = base64url_decode(encoded);
        REQUIRE(decoded);
        CHECK(*decoded == plain);
    }
    // The two characters where base64url differs from base64.
    CHECK(base64url_encode("\xfb\xff") == "-_8");
    CHECK(*base64url_decode("-_8") == "\xfb\xff");
}

TEST_CASE("base64url: only the canonical spelling is accepted", "[jwt][base64url]") {
    // Padding, whitespace, base64's + and /, a lone last character, and non-zero unused bits
    // ("f" is Zg, "fo" is Zm8: Zh and Zm9 decode to the same lengths with stray bits).
    for (const char* bad :
         {"Zg==", "Zg=", "Zm9v\n", " Zm9v", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9", "Zm\x80v"}) {
        INFO(bad);
        CHECK_FALSE(base64url_decode(bad));
    }
}
