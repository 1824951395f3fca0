#include <catch2/catch.hpp>

#include "engine/request_check.hpp"

using namespace pulse::engine;

namespace {
RequestClass classify(std::string_view method, std::string_view query, bool upgrade = false,
                      bool origin_ok = true) {
    return classify_request(RequestInput{method, query, upgrade, origin_ok});
}
}  // namespace

TEST_CASE("query parsing decodes values and keeps the first occurrence", "[engine][request]") {
    auto q = parse_engine_query("EIO=4&transport=polling&t=abc&sid=a%2Bb%3D&sid=other");
    CHECK(q.eio == "4");
    CHECK(q.transport == "polling");
    CHECK(q.sid == "a+b=");
    auto empty = parse_engine_query("");
    CHECK(empty.transport.empty());
    auto odd = parse_engine_query("&&=x&transport&EIO=%zz");
    CHECK(odd.transport.empty());
    CHECK(odd.eio == "%zz");
}

TEST_CASE("handshakes", "[engine][request]") {
    auto polling = classify("GET", "EIO=4&transport=polling");
    CHECK_FALSE(polling.error);
    CHECK(polling.kind == RequestKind::handshake_polling);
    auto ws = classify("GET", "EIO=4&transport=websocket", true);
    CHECK_FALSE(ws.error);
    CHECK(ws.kind == RequestKind::handshake_websocket);
}

TEST_CASE("each reference error code", "[engine][request]") {
    CHECK(classify("GET", "EIO=4&transport=tobi").error == ErrorCode::unknown_transport);
    CHECK(classify("GET", "EIO=4").error == ErrorCode::unknown_transport);
    CHECK(classify("GET", "EIO=4&transport=constructor").error == ErrorCode::unknown_transport);
    CHECK(classify("POST", "EIO=4&transport=polling").error == ErrorCode::bad_handshake_method);
    CHECK(classify("PUT", "EIO=4&transport=polling").error == ErrorCode::bad_handshake_method);
    CHECK(classify("GET", "EIO=3&transport=polling").error ==
          ErrorCode::unsupported_protocol_version);
    CHECK(classify("GET", "transport=polling").error == ErrorCode::unsupported_protocol_version);
    CHECK(classify("GET", "EIO=4&transport=websocket", false).error == ErrorCode::bad_request);
    CHECK(classify("GET", "EIO=4&transport=polling", true).error == ErrorCode::bad_request);
    CHECK(classify("GET", "EIO=4&transport=polling", false, false).error == ErrorCode::forbidden);
    CHECK(classify("GET", "EIO=4&transport=websocket", true, false).error == ErrorCode::forbidden);
    CHECK(error_status(ErrorCode::forbidden) == 403);
    CHECK(error_status(ErrorCode::unknown_sid) == 400);
    CHECK(error_body(ErrorCode::unknown_sid) == R"({"code":1,"message":"Session ID unknown"})");
    CHECK(error_body(ErrorCode::unknown_transport) ==
          R"({"code":0,"message":"Transport unknown"})");
}

TEST_CASE("requests with a sid", "[engine][request]") {
    CHECK(classify("GET", "EIO=4&transport=polling&sid=abc").kind == RequestKind::poll);
    CHECK(classify("POST", "EIO=4&transport=polling&sid=abc").kind == RequestKind::post);
    CHECK(classify("GET", "EIO=4&transport=websocket&sid=abc", true).kind ==
          RequestKind::websocket_with_sid);
    CHECK(classify("DELETE", "EIO=4&transport=polling&sid=abc").error == ErrorCode::bad_request);
}

TEST_CASE("preflight", "[engine][request]") {
    CHECK(classify("OPTIONS", "EIO=4&transport=polling").kind == RequestKind::preflight);
    CHECK_FALSE(classify("OPTIONS", "").error);
    CHECK(classify("OPTIONS", "", false, false).error == ErrorCode::forbidden);
}
