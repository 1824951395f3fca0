// The lifecycle writes its answers' heads itself (http_server.cpp, response_head), no longer
// through Beast's serializer. These are the exact bytes Beast wrote for the same answers
// (recorded from the build before the change): status line and reason, Server, Content-Type,
// the extra headers with Beast's set() rule (a later header of the same name replaces an
// earlier one, and goes last), Connection only when it differs from the version's default,
// Content-Length always (0 for a 204).
#include "support/fixture.hpp"
#include "support/raw_connection.hpp"

using namespace pulse::test;

TEST_CASE("answer heads are byte for byte what they were", "[integration][http][head]") {
    Lifecycle lc(Env{{"FRONTEND_URL", "http://localhost:5173"}});
    // One request on a connection of its own: the answer's head and body.
    const auto answer = [&](const std::string& request) {
        RawConnection conn(lc.port(), 1 << 16);
        conn.send(request);
        return conn.response();
    };

    SECTION("HTTP/1.1 keep-alive: no Connection header") {
        RawConnection conn(lc.port(), 1 << 16);
        conn.send("GET /health HTTP/1.1\r\nHost: pulse\r\n\r\n");
        const auto [head, body] = conn.response();
        CHECK(head ==
              "HTTP/1.1 200 OK\r\nServer: pulse-lifecycle\r\n"
              "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n");
        // The connection stays open for the next request.
        conn.send("GET /health HTTP/1.1\r\nHost: pulse\r\n\r\n");
        CHECK(conn.response().first == head);
    }
    SECTION("HTTP/1.0 with keep-alive says so") {
        const auto [head, body] = answer("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        CHECK(head ==
              "HTTP/1.0 200 OK\r\nServer: pulse-lifecycle\r\n"
              "Content-Type: application/json\r\nConnection: keep-alive\r\n"
              "Content-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n");
    }
    SECTION("an extra header, and Connection: close when the client closes") {
        const auto [head, body] =
            answer("DELETE /health HTTP/1.1\r\nHost: pulse\r\nConnection: close\r\n\r\n");
        CHECK(head ==
              "HTTP/1.1 405 Method Not Allowed\r\nServer: pulse-lifecycle\r\n"
              "Content-Type: application/json\r\nAllow: GET\r\nConnection: close\r\n"
              "Content-Length: 39\r\n\r\n");
        CHECK(body == R"({"error":"method not allowed; use GET"})");
    }
    SECTION("a preflight: no Content-Type, headers set twice appear once and last") {
        const auto [head, body] = answer(
            "OPTIONS /api/test/test-stream HTTP/1.1\r\nHost: pulse\r\n"
            "Origin: http://localhost:5173\r\nAccess-Control-Request-Method: POST\r\n\r\n");
        CHECK(head ==
              "HTTP/1.1 204 No Content\r\nServer: pulse-lifecycle\r\n"
              "Access-Control-Allow-Methods: POST, OPTIONS\r\nAccess-Control-Max-Age: 600\r\n"
              "Vary: Origin\r\nAccess-Control-Allow-Origin: http://localhost:5173\r\n"
              "Content-Length: 0\r\n\r\n");
        CHECK(body.empty());
    }
    SECTION("a malformed request: 400 and close") {
        const auto [head, body] = answer("GARBAGE\r\n\r\n");
        CHECK(head ==
              "HTTP/1.1 400 Bad Request\r\nServer: pulse-lifecycle\r\n"
              "Content-Type: application/json\r\nConnection: close\r\nContent-Length: 34\r\n\r\n");
        CHECK(body == R"({"error":"malformed HTTP request"})");
    }
    CHECK(lc.stop() == 0);
}
