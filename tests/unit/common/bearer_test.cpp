#include <catch2/catch.hpp>

#include "pulse/bearer.hpp"

using pulse::bearer_matches;
using pulse::bearer_token;

TEST_CASE("bearer: the token of an Authorization header", "[bearer]") {
    CHECK(bearer_token("Bearer abc") == "abc");
    CHECK(bearer_token("bearer   abc  ") == "abc");
    CHECK(bearer_token("BEARER abc") == "abc");
    CHECK(bearer_token("").empty());
    CHECK(bearer_token("Bearer").empty());
    CHECK(bearer_token("Bearer ").empty());
    CHECK(bearer_token("Basic YWJj").empty());
    CHECK(bearer_token("Bearerabc").empty());
}

TEST_CASE("bearer: matches only the exact configured token", "[bearer]") {
    CHECK(bearer_matches("Bearer s3cret-token", "s3cret-token"));
    CHECK_FALSE(bearer_matches("Bearer s3cret-toke", "s3cret-token"));
    CHECK_FALSE(bearer_matches("Bearer s3cret-tokenX", "s3cret-token"));
    CHECK_FALSE(bearer_matches("Bearer S3cret-token", "s3cret-token"));
    CHECK_FALSE(bearer_matches("s3cret-token", "s3cret-token"));
    CHECK_FALSE(bearer_matches("", "s3cret-token"));
    // An unset token never matches, not even an empty bearer.
    CHECK_FALSE(bearer_matches("Bearer ", ""));
    CHECK_FALSE(bearer_matches("", ""));
}
