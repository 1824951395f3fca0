// decode_raw(): the gateway's decoder keeps data as text. Envelopes in encode()'s form take the
// one-pass reader (decode_canonical); any other takes decode(); both answer as decode() does.
#include <catch2/catch.hpp>

#include <string>

#include "pulse/envelope.hpp"
#include "pulse/json_canonical.hpp"

using pulse::envelope::decode;
using pulse::envelope::decode_canonical;
using pulse::envelope::decode_raw;

namespace {

const std::string kHead =
    R"({"v":1,"epoch":"e","seq":7,"event":"new-stream","rooms":["r1","r2"],"data":)";

std::string with_data(const std::string& data) {
    return kHead + data + "}";
}

// decode_raw() must give decode()'s fields, and data.dump() as its text.
void same_as_decode(const std::string& text) {
    INFO(text);
    const auto full = decode(text);
    const auto raw = decode_raw(text);
    REQUIRE(bool(full) == bool(raw));
    if (!full) {
        CHECK(raw.error == full.error);
        return;
    }
    CHECK(raw.envelope->epoch == full.envelope->epoch);
    CHECK(raw.envelope->seq == full.envelope->seq);
    CHECK(raw.envelope->event == full.envelope->event);
    CHECK(raw.envelope->rooms == full.envelope->rooms);
    CHECK(raw.envelope->data_json == full.envelope->data.dump());
}

}  // namespace

TEST_CASE("decode_raw: what the lifecycle writes is read in one pass, data as it came",
          "[envelope]") {
    const std::string data =
        R"({"streamId":"s-1","sender":"GA7Q","receiver":"CA7Q","amount":"1000","status":"ACTIVE","timestamp":"2026-11-26T09:30:00.123Z"})";
    pulse::envelope::Envelope e;
    e.epoch = "5f1c9a3e-0d2b-4c55-9a8e-3e1f0c7b2d11";
    e.seq = 123456789012345678;
    e.event = "balance-update";
    e.rooms = {"stream-GA7Q", "stream-CA7Q"};
    e.data = nlohmann::ordered_json::parse(data);
    const std::string text = pulse::envelope::encode(e);

    const auto fast = decode_canonical(text);
    REQUIRE(fast);
    CHECK(fast->epoch == e.epoch);
    CHECK(fast->seq == e.seq);
    CHECK(fast->event == e.event);
    CHECK(fast->rooms == e.rooms);
    CHECK(fast->data_json == data);
    same_as_decode(text);
}

TEST_CASE("decode_raw: canonical data of every kind takes the one-pass reader", "[envelope]") {
    for (const std::string data : {
             R"({})",
             R"({"a":[]})",
             R"({"a":{"b":{"c":[1,-2,0,true,false,null,"x"]}}})",
             R"({"n":123456789012345678,"m":-123456789012345678})",
             R"({"esc":"q\" b\\ \b\f\n\r\t \u0000\u001f"})",
             "{\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"}",
             R"({"a":1,"A":2,"aa":3})",
         }) {
        INFO(data);
        CHECK(decode_canonical(with_data(data)));
        same_as_decode(with_data(data));
    }
}

TEST_CASE("decode_raw: JSON that dump() would write differently takes decode()", "[envelope]") {
    for (const std::string data : {
             R"({ "a":1})",                   // whitespace
             R"({"a":1.5})",                  // a float
             R"({"a":1e3})",                  // an exponent
             R"({"a":-0})",                   // dumps as 0
             R"({"a":1234567890123456789})",  // 19 digits
             R"({"a":"\/"})",                 // dump() writes /
             R"({"a":"\u00e9"})",             // dump() writes the UTF-8 bytes
             R"({"a":"\u001F"})",             // dump() writes lowercase hex
             R"({"a":"\u000a"})",             // dump() writes \n
             R"({"a":"\u007f"})",             // dump() writes the byte
             R"({"a":1,"a":2})",              // dump() writes the key once
         }) {
        INFO(data);
        CHECK_FALSE(decode_canonical(with_data(data)));
        same_as_decode(with_data(data));
        REQUIRE(decode_raw(with_data(data)));  // still valid: decoded the slow way
    }
    // The envelope's own form: key order, whitespace, an escaped room, a leading zero in seq.
    for (const std::string& text : {
             std::string(R"({"epoch":"e","v":1,"seq":7,"event":"x","rooms":["r"],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":7,"event":"x","rooms":["r"],"data":{}} )"),
             std::string(R"({"v":1,"epoch":"e","seq":7,"event":"x","rooms":["\u0072"],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":07,"event":"x","rooms":["r"],"data":{}})"),
         }) {
        INFO(text);
        CHECK_FALSE(decode_canonical(text));
        same_as_decode(text);
    }
}

TEST_CASE("decode_raw: what decode() refuses is refused with decode()'s error", "[envelope]") {
    for (const std::string& text : {
             with_data(R"({"a":"\ud800"})"),             // a lone surrogate
             with_data("{\"a\":\"\xed\xa0\x80\"}"),      // a surrogate in UTF-8
             with_data("{\"a\":\"\xc0\xaf\"}"),          // an overlong form
             with_data("{\"a\":\"\xf4\x90\x80\x80\"}"),  // above U+10FFFF
             with_data("{\"a\":\"tab\there\"}"),         // a raw control character
             with_data(R"({"a":01})"),                   // a leading zero
             with_data(R"({"a":})"),
             with_data(R"({"a":1,})"),
             with_data(R"([])"),
             with_data(R"("x")"),
             std::string(
                 R"({"v":1,"epoch":"e","seq":7,"event":"connect","rooms":["r"],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":7,"event":"x","rooms":["r","r"],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":7,"event":"x","rooms":[""],"data":{}})"),
             std::string(R"({"v":1,"epoch":"","seq":7,"event":"x","rooms":["r"],"data":{}})"),
             std::string(R"({"v":2,"epoch":"e","seq":7,"event":"x","rooms":["r"],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":0,"event":"x","rooms":["r"],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":7,"event":"x","rooms":[],"data":{}})"),
             std::string(R"({"v":1,"epoch":"e","seq":7,"event":"x","rooms":["r"],"data":{}}x)"),
         }) {
        INFO(text);
        CHECK_FALSE(decode_canonical(text));
        CHECK_FALSE(decode_raw(text));
        same_as_decode(text);
    }
}

TEST_CASE("json_canonical: nesting and key counts past the limits are not canonical",
          "[envelope]") {
    using pulse::json_canonical::kMaxCanonicalDepth;
    using pulse::json_canonical::kMaxCanonicalKeys;
    using pulse::json_canonical::value_length;
    const auto nested = [](std::size_t depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    CHECK(value_length(nested(kMaxCanonicalDepth)) == 2 * kMaxCanonicalDepth);
    CHECK(value_length(nested(kMaxCanonicalDepth + 1)) == 0);
    const auto keys = [](std::size_t n) {
        std::string s = "{";
        for (std::size_t i = 0; i < n; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
        return s + "}";
    };
    CHECK(value_length(keys(kMaxCanonicalKeys)) == keys(kMaxCanonicalKeys).size());
    CHECK(value_length(keys(kMaxCanonicalKeys + 1)) == 0);
    CHECK(value_length(R"("abc"tail)") == 5);
}

TEST_CASE("json_canonical: a top-level string member, found without a parse", "[envelope]") {
    using pulse::json_canonical::top_level_string;
    const std::string data =
        R"({"nested":{"timestamp":"inner"},"list":["timestamp"],"n":1,"timestamp":"2026-11-26T09:30:00.123Z"})";
    REQUIRE(pulse::json_canonical::value_length(data) == data.size());
    CHECK(top_level_string(data, "timestamp") == "2026-11-26T09:30:00.123Z");
    CHECK_FALSE(top_level_string(data, "n"));               // not a string
    CHECK_FALSE(top_level_string(data, "missing"));         // absent
    CHECK_FALSE(top_level_string(R"({"t":"a\nb"})", "t"));  // escaped
    CHECK_FALSE(top_level_string("{}", "t"));
}
