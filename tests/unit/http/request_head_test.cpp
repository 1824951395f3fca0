// Reading a request head as the listener does (http/request_head.hpp): the Request it yields,
// the refusals (400 / 414 / 431), and the same outcome however the bytes are split.
#include <catch2/catch.hpp>

#include <string>

#include "http/request_head.hpp"

using pulse::http::parse_request_head;

TEST_CASE("request head: a whole head, split anyhow, gives the same Request", "[http]") {
    const std::string head =
        "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: "
        "1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\n\r\n";
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, head.size()}) {
        const auto r = parse_request_head(head, 16384, chunk);
        REQUIRE(r.complete);
        CHECK(r.refusal == 0);
        CHECK(r.request.method == "GET");
        CHECK(r.request.path == "/socket.io/");
        CHECK(r.request.query == "EIO=4&transport=polling");
        REQUIRE(r.request.headers.size() == 3);
        CHECK(r.request.headers[1].first == "x-forwarded-for");
        CHECK(r.request.headers[2].second == "5.6.7.8");
    }
    const auto partial = parse_request_head("GET / HTTP/1.1\r\nHost: x\r\n", 16384, 4);
    CHECK_FALSE(partial.complete);
    CHECK(partial.refusal == 0);
}

TEST_CASE("request head: 414 for a long request line, 431 for long headers, 400 for garbage",
          "[http]") {
    CHECK(parse_request_head("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n", 4096, 100)
              .refusal == 414);
    // In pieces that bring the request line at once (100), that do not (3), and whole: the
    // parser takes the line early in the first case only; the answer is the same.
    for (std::size_t chunk : {std::size_t{3}, std::size_t{100}, std::size_t{6000}})
        CHECK(parse_request_head("GET / HTTP/1.1\r\nX-A: " + std::string(5000, 'a') + "\r\n\r\n",
                                 4096, chunk)
                  .refusal == 431);
    // A line break past the limit does not make a long request line whole.
    CHECK(parse_request_head("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n", 4096, 6000)
              .refusal == 414);
    CHECK(parse_request_head(std::string("\0\1garbage\r\n\r\n", 13), 4096, 3).refusal == 400);
    CHECK(parse_request_head("GET / HTTP/1.1\r\nX-A: " + std::string(3000, 'a') + "\r\n\r\n", 4096,
                             100)
              .complete);
}
