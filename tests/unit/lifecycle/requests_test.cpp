#include <catch2/catch.hpp>

#include "domain/client_error.hpp"
#include "domain/requests.hpp"

using namespace pulse::lifecycle;
using nlohmann::json;

namespace {
const std::string kG = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
const std::string kC = "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA";

// The ClientError a call throws (REQUIREs one).
template <class F>
ClientError error_of(F&& f) {
    try {
        f();
    } catch (const ClientError& e) {
        return e;
    }
    FAIL("no ClientError thrown");
    return ClientError(0, "");
}
}  // namespace

TEST_CASE("create-stream body: valid", "[requests]") {
    auto c = parse_create_stream(
        {{"streamId", "s"}, {"sender", kG}, {"receiver", kC}, {"amount", "10"}});
    CHECK(c.stream_id == "s");
    CHECK(c.sender == kG);
    CHECK(c.receiver == kC);
    CHECK(c.amount == 10);
}

TEST_CASE("create-stream body: each bad field is named", "[requests]") {
    const json good = {{"streamId", "s"}, {"sender", kG}, {"receiver", kC}, {"amount", "10"}};
    struct Case {
        const char* key;
        json value;  // null: remove the key
        const char* field;
    };
    const Case cases[] = {
        {"streamId", nullptr, "streamId"},
        {"streamId", "", "streamId"},
        {"streamId", 5, "streamId"},
        {"streamId", std::string(129, 'x'), "streamId"},
        {"streamId", "a\nb", "streamId"},
        {"streamId", "a b", "streamId"},
        {"streamId", "abc\u202Edef", "streamId"},  // right-to-left override
        {"streamId", "a\u200Bb", "streamId"},      // zero-width space
        {"streamId", "caf\u00e9", "streamId"},
        {"streamId", "a/b", "streamId"},
        {"streamId", "a\"b", "streamId"},
        {"sender", nullptr, "sender"},
        {"sender", "GABC", "sender"},
        {"sender", 1, "sender"},
        {"receiver", "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGA", "receiver"},
        {"amount", nullptr, "amount"},
        {"amount", 10, "amount"},
        {"amount", "-1", "amount"},
        {"amount", "1.5", "amount"},
        {"amount", "170141183460469231731687303715884105728", "amount"},
    };
    for (const auto& c : cases) {
        json body = good;
        if (c.value.is_null())
            body.erase(c.key);
        else
            body[c.key] = c.value;
        INFO(body.dump());
        auto e = error_of([&] { parse_create_stream(body); });
        CHECK(e.status == 400);
        CHECK(e.field == c.field);
    }
    auto not_object = error_of([] { parse_create_stream(json::array()); });
    CHECK(not_object.status == 400);
    CHECK(not_object.field.empty());
}

TEST_CASE("withdrawal and cancellation bodies", "[requests]") {
    auto w = parse_withdrawal({{"streamId", "s"}, {"amount", "1"}});
    CHECK(w.amount == 1);
    // a withdrawal of nothing is refused: it would write a row and an event for no change
    auto zero = error_of([] { parse_withdrawal({{"streamId", "s"}, {"amount", "0"}}); });
    CHECK(zero.status == 400);
    CHECK(zero.field == "amount");
    CHECK(error_of([] {
              parse_withdrawal({{"streamId", "s"}, {"amount", "1e3"}});
          }).field == "amount");
    auto c = parse_cancellation({{"streamId", "s"}, {"toReceiver", "7"}, {"toSender", "3"}});
    CHECK(c.to_receiver == 7);
    CHECK(c.to_sender == 3);
    CHECK(error_of([] {
              parse_cancellation({{"streamId", "s"}, {"toReceiver", "7"}});
          }).field == "toSender");
    CHECK(error_of([] {
              parse_cancellation({{"streamId", "s"}, {"toReceiver", 7}, {"toSender", "3"}});
          }).field == "toReceiver");
}
