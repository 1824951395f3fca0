#include <catch2/catch.hpp>

#include "pulse/amount.hpp"

using pulse::amount::format;
using pulse::amount::kMax;
using pulse::amount::parse;
using pulse::amount::parse_json;

TEST_CASE("amount: accepted values", "[amount]") {
    CHECK(*parse("0").value == 0);
    CHECK(*parse("7").value == 7);
    CHECK(*parse("1000000000").value == 1000000000);
    auto max = parse("170141183460469231731687303715884105727");
    REQUIRE(max);
    CHECK(*max.value == kMax);
    CHECK(format(*max.value) == "170141183460469231731687303715884105727");
}

TEST_CASE("amount: refused values name the reason", "[amount]") {
    struct Case {
        const char* text;
        const char* error_part;
    };
    const Case cases[] = {
        {"170141183460469231731687303715884105728", "i128"},  // i128 max + 1
        {"999999999999999999999999999999999999999", "i128"},
        {"1701411834604692317316873037158841057270", "i128"},  // 40 digits
        {"-1", "negative"},
        {"-0", "negative"},
        {"+1", "decimal string"},
        {"1.5", "decimal string"},
        {"1.0", "decimal string"},
        {"1e3", "decimal string"},
        {" 7", "decimal string"},
        {"7 ", "decimal string"},
        {"7\n", "decimal string"},
        {"0x10", "decimal string"},
        {"", "empty"},
        {"007", "leading zeros"},
        {"00", "leading zeros"},
        {"1_000", "decimal string"},
        {"\xd9\xa1", "decimal string"},  // ARABIC-INDIC DIGIT ONE
    };
    for (const auto& c : cases) {
        INFO("'" << c.text << "'");
        auto r = parse(c.text);
        CHECK_FALSE(r);
        CHECK_THAT(r.error, Catch::Contains(c.error_part));
    }
}

TEST_CASE("amount: only a JSON string is an amount", "[amount]") {
    using nlohmann::json;
    CHECK(*parse_json(json("12")).value == 12);
    auto number = parse_json(json::parse("12"));
    CHECK_FALSE(number);
    CHECK_THAT(number.error, Catch::Contains("JSON number"));
    CHECK_FALSE(parse_json(json::parse("1.5")));
    CHECK_FALSE(parse_json(json::parse("-3")));
    CHECK_FALSE(parse_json(json(nullptr)));
    CHECK_FALSE(parse_json(json::parse("true")));
    CHECK_FALSE(parse_json(json::parse("[\"1\"]")));
    CHECK_FALSE(parse_json(json::parse("{}")));
}

TEST_CASE("amount: format/parse round trip", "[amount]") {
    pulse::amount::Amount v = 1;
    for (int i = 0; i < 126; ++i) {
        auto text = format(v);
        auto back = parse(text);
        REQUIRE(back);
        CHECK(*back.value == v);
        v = v * 2 + (i % 3);
    }
    CHECK(format(0) == "0");
}
