#include <catch2/catch.hpp>

#include "pulse/jwt/subject.hpp"

using pulse::jwt::parse_subject;

namespace {
const char* kG = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
const char* kM = "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLK";
const char* kC = "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA";
}  // namespace

TEST_CASE("subject: G..., M... and SEP-10's G...:memo", "[jwt][subject]") {
    auto g = parse_subject(kG);
    REQUIRE(g);
    CHECK(g->account == kG);
    CHECK(g->memo.empty());

    auto m = parse_subject(kM);
    REQUIRE(m);
    CHECK(m->account == kM);

    auto memo = parse_subject(std::string(kG) + ":1234567890");
    REQUIRE(memo);
    CHECK(memo->account == kG);
    CHECK(memo->memo == "1234567890");
    CHECK(parse_subject(std::string(kG) + ":18446744073709551615"));
}

TEST_CASE("subject: anything else is refused", "[jwt][subject]") {
    std::string g(kG);
    std::string bad_checksum = g;
    bad_checksum.back() = bad_checksum.back() == 'A' ? 'B' : 'A';
    for (const std::string& s :
         {std::string(), std::string(kC), g + ":", g + ":abc", g + ":01", g + ":-1", g + ": 1",
          g + ":18446744073709551616", g + ":1:2", std::string(kM) + ":1", bad_checksum,
          std::string("ga7qynf7sowq3glr2bgmzehxavirza4kvwltjjfc7mgxua74p7ujvsgz"), g + " ",
          std::string("stream-") + g}) {
        INFO(s);
        CHECK_FALSE(parse_subject(s));
    }
}
