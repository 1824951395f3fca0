#include <catch2/catch.hpp>

#include <string>

#include "pulse/envelope.hpp"

using pulse::envelope::decode;
using pulse::envelope::encode;
using pulse::envelope::Envelope;

namespace {
Envelope sample() {
    Envelope e;
    e.epoch = "5f1c9a3e-0d2b-4c55-9a8e-3e1f0c7b2d11";
    e.seq = 42;
    e.event = "new-stream";
    e.rooms = {"stream-GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ",
               "stream-CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA"};
    e.data = nlohmann::ordered_json::parse(
        R"({"streamId":"s-1","sender":"GA7Q","receiver":"CA7Q","amount":"1000","status":"ACTIVE","timestamp":"2026-11-26T09:30:00.123Z"})");
    return e;
}
}  // namespace

TEST_CASE("envelope: encode is compact with the contract's key order", "[envelope]") {
    auto text = encode(sample());
    CHECK(
        text.rfind(
            R"({"v":1,"epoch":"5f1c9a3e-0d2b-4c55-9a8e-3e1f0c7b2d11","seq":42,"event":"new-stream","rooms":[)",
            0) == 0);
    CHECK(text.find(R"("data":{"streamId":"s-1","sender":"GA7Q","receiver":"CA7Q")") !=
          std::string::npos);
    CHECK(text.find(' ') == std::string::npos);
    CHECK(pulse::envelope::validate(sample()).empty());
}

TEST_CASE("envelope: round trip keeps every field and data's key order", "[envelope]") {
    const auto original = sample();
    auto result = decode(encode(original));
    REQUIRE(result);
    const auto& e = *result.envelope;
    CHECK(e.v == 1);
    CHECK(e.epoch == original.epoch);
    CHECK(e.seq == 42);
    CHECK(e.event == "new-stream");
    CHECK(e.rooms == original.rooms);
    CHECK(e.data == original.data);
    CHECK(e.data.dump() == original.data.dump());
    CHECK(encode(e) == encode(original));
}

TEST_CASE("envelope: large seq and unicode data survive", "[envelope]") {
    auto e = sample();
    e.seq = INT64_MAX;
    e.data = {{"note", "caf\xc3\xa9 \xe2\x82\xac"}, {"nested", {{"a", {1, 2, 3}}}}};
    auto r = decode(encode(e));
    REQUIRE(r);
    CHECK(r.envelope->seq == INT64_MAX);
    CHECK(r.envelope->data == e.data);
}

TEST_CASE("envelope: malformed envelopes are refused with a reason", "[envelope]") {
    const std::string rooms = R"(["stream-A"])";
    auto with = [&](const std::string& v, const std::string& epoch, const std::string& seq,
                    const std::string& event, const std::string& rms, const std::string& data) {
        return R"({"v":)" + v + R"(,"epoch":)" + epoch + R"(,"seq":)" + seq + R"(,"event":)" +
               event + R"(,"rooms":)" + rms + R"(,"data":)" + data + "}";
    };
    const std::string ok = with("1", "\"e\"", "1", "\"new-stream\"", rooms, "{}");
    REQUIRE(decode(ok));

    struct Case {
        std::string text;
        const char* error_part;
    };
    const Case cases[] = {
        {"", "invalid JSON"},
        {"{", "invalid JSON"},
        {"[]", "object"},
        {"null", "object"},
        {ok + "x", "invalid JSON"},
        {with("2", "\"e\"", "1", "\"new-stream\"", rooms, "{}"), "v:"},
        {with("\"1\"", "\"e\"", "1", "\"new-stream\"", rooms, "{}"), "v:"},
        {with("1.0", "\"e\"", "1", "\"new-stream\"", rooms, "{}"), "v:"},
        {with("1", "\"\"", "1", "\"new-stream\"", rooms, "{}"), "epoch:"},
        {with("1", "7", "1", "\"new-stream\"", rooms, "{}"), "epoch:"},
        {with("1", "\"e\"", "0", "\"new-stream\"", rooms, "{}"), "seq:"},
        {with("1", "\"e\"", "-5", "\"new-stream\"", rooms, "{}"), "seq:"},
        {with("1", "\"e\"", "1.5", "\"new-stream\"", rooms, "{}"), "seq:"},
        {with("1", "\"e\"", "\"1\"", "\"new-stream\"", rooms, "{}"), "seq:"},
        {with("1", "\"e\"", "9223372036854775808", "\"new-stream\"", rooms, "{}"), "seq:"},
        {with("1", "\"e\"", "1", "\"\"", rooms, "{}"), "event:"},
        {with("1", "\"e\"", "1", "\"disconnect\"", rooms, "{}"), "reserved"},
        {with("1", "\"e\"", "1", "null", rooms, "{}"), "event:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", "[]", "{}"), "rooms:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", "\"stream-A\"", "{}"), "rooms:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", "[1]", "{}"), "rooms:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", R"([""])", "{}"), "rooms:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", R"(["a","a"])", "{}"), "twice"},
        {with("1", "\"e\"", "1", "\"new-stream\"", rooms, "[]"), "data:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", rooms, "\"x\""), "data:"},
        {with("1", "\"e\"", "1", "\"new-stream\"", rooms, "null"), "data:"},
        {R"({"v":1,"epoch":"e","seq":1,"event":"x","rooms":["r"]})", "data: missing"},
        {R"({"v":1,"epoch":"e","seq":1,"event":"x","rooms":["r"],"data":{},"extra":1})",
         "unknown key"},
        {R"({"v":1,"v":1,"epoch":"e","seq":1,"event":"x","rooms":["r"],"data":{}})", "duplicate"},
        {std::string(R"({"v":1,"epoch":"e","seq":1,"event":"x","rooms":["r"],"data":{"s":")") +
             "\xff\xfe" + "\"}}",
         "invalid JSON"},
        {std::string(pulse::envelope::kMaxEnvelopeBytes + 1, ' '), "larger"},
    };
    for (const auto& c : cases) {
        INFO(c.text.substr(0, 200));
        auto r = decode(c.text);
        CHECK_FALSE(r);
        CHECK_THAT(r.error, Catch::Contains(c.error_part));
    }
}

TEST_CASE("envelope: a duplicate key inside data is not a top-level duplicate", "[envelope]") {
    // nested objects are the publisher's business; only the envelope's own keys must be unique
    auto r =
        decode(R"({"v":1,"epoch":"e","seq":3,"event":"x","rooms":["r"],"data":{"seq":1,"v":2}})");
    REQUIRE(r);
    CHECK(r.envelope->seq == 3);
    CHECK(r.envelope->data["v"] == 2);
}

TEST_CASE("envelope: decode never throws on arbitrary bytes", "[envelope]") {
    std::string text = pulse::envelope::encode(sample());
    // Every prefix of a valid envelope is refused cleanly (only the full text is valid).
    for (std::size_t n = 0; n < text.size(); ++n) {
        auto r = decode(std::string_view(text).substr(0, n));
        CHECK_FALSE(r);
    }
}
