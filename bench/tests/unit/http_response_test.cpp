#include <catch2/catch.hpp>

#include "core/http_response.hpp"

using namespace pulse::bench;

TEST_CASE("a complete response with a body, then pipelined bytes") {
    const std::string r =
        "HTTP/1.1 201 Created\r\ncontent-length: 16\r\nContent-Type: application/json\r\n\r\n"
        "{\"success\":true}HTTP/1.1";
    auto p = probe_http_response(r);
    REQUIRE(p.status == HttpResponseProbe::Status::ok);
    REQUIRE(p.code == 201);
    REQUIRE(p.total_size == r.size() - 8);
}

TEST_CASE("incomplete head or body needs more") {
    REQUIRE(probe_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n").status ==
            HttpResponseProbe::Status::need_more);
    REQUIRE(probe_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc").status ==
            HttpResponseProbe::Status::need_more);
}

TEST_CASE("unsupported or broken responses are errors") {
    REQUIRE(probe_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").status ==
            HttpResponseProbe::Status::error);
    REQUIRE(probe_http_response("HTTP/1.1 200 OK\r\n\r\n").status ==
            HttpResponseProbe::Status::error);
    REQUIRE(probe_http_response("SMTP 220 hello\r\n\r\n").status ==
            HttpResponseProbe::Status::error);
    REQUIRE(probe_http_response("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n").status ==
            HttpResponseProbe::Status::error);
}
