// The lifecycle sends an answer with one non-blocking send and writes only what the kernel did
// not take asynchronously (http_server.cpp, write_response). This test makes the kernel take
// part of it: an 8 MB replay page (larger than the socket's largest send buffer, tcp_wmem's
// 4 MB here) for a client with a 4 KB receive buffer that waits before it reads. The page must
// arrive whole, then the next request on the same connection must be answered.
#include <chrono>
#include <thread>

#include "support/fixture.hpp"
#include "support/raw_connection.hpp"

using namespace pulse::test;

TEST_CASE("an answer larger than the socket buffers reaches a slow reader whole",
          "[integration][http][slow-reader]") {
    Lifecycle lc;
    // 1,000 outbox rows of 8 KB each, written directly: the replay page is their text.
    lc.db.exec(
        "INSERT INTO pulse_outbox (seq, event, rooms, data) "
        "SELECT g, 'new-stream', ARRAY['stream-slow'], jsonb_build_object('pad', repeat('p', "
        "8000)) "
        "FROM generate_series(1, 1000) g; "
        "UPDATE pulse_outbox_counter SET last_seq = 1000;");
    RawConnection conn(lc.port(), 4096);
    const std::string request =
        "GET /internal/outbox?after=0&limit=1000 HTTP/1.1\r\nHost: pulse\r\n\r\n";
    conn.send(request);
    // The server writes while nothing is read: the send buffer fills, the rest must wait.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto [head, body] = conn.response();
    CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(body.size() > 8'000'000);
    const auto page = nlohmann::json::parse(body, nullptr, false);
    REQUIRE_FALSE(page.is_discarded());
    REQUIRE(page["events"].size() == 1000);
    CHECK(page["events"][999]["seq"] == 1000);
    CHECK(page["hasMore"] == false);
    // Keep-alive after the partial write: the same connection answers again.
    conn.send("GET /health HTTP/1.1\r\nHost: pulse\r\n\r\n");
    const auto [head2, body2] = conn.response();
    CHECK(head2.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(nlohmann::json::parse(body2, nullptr, false)["status"] == "ok");
    CHECK(lc.stop() == 0);
}
