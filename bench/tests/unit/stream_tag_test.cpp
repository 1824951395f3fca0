#include <catch2/catch.hpp>

#include "core/stream_tag.hpp"

using namespace pulse::bench;

TEST_CASE("stream tags round-trip") {
    const StreamTag t{123456789, 7, 0, 4294967295u, 99, 18446744073709551615ULL};
    const std::string text = format_stream_tag(t);
    REQUIRE(text == "pb-123456789-7-0-4294967295-99-18446744073709551615");
    auto back = parse_stream_tag(text);
    REQUIRE(back.has_value());
    REQUIRE(*back == t);
}

TEST_CASE("malformed stream tags are refused") {
    REQUIRE_FALSE(parse_stream_tag(""));
    REQUIRE_FALSE(parse_stream_tag("pb-1-2-3-4-5"));      // a field short
    REQUIRE_FALSE(parse_stream_tag("pb-1-2-3-4-5-6-7"));  // a field too many
    REQUIRE_FALSE(parse_stream_tag("xx-1-2-3-4-5-6"));
    REQUIRE_FALSE(parse_stream_tag("pb-1-4294967296-3-4-5-6"));  // room over 32 bits
    REQUIRE_FALSE(parse_stream_tag("pb-1--3-4-5-6"));
    REQUIRE_FALSE(parse_stream_tag("test-stream-123"));
}
