// http::Listener over real sockets on 127.0.0.1 (port 0), driven by a Beast client with a
// deadline on every exchange: plain routes, 404/405, keep-alive, HEAD (the GET's headers and
// Content-Length, no body), the body limit, malformed requests, and a mounted Endpoint answering
// later from another thread.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/endpoint.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "net/io_shards.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using namespace pulse;

namespace {

using Answer = bhttp::response<bhttp::string_body>;

// One client connection; every read has a 5 s deadline, so a listener that never answers fails
// the test instead of hanging it.
class Client {
  public:
    explicit Client(std::uint16_t port) : stream_(io_) {
        stream_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    }
    void send(const std::string& raw) { asio::write(stream_.socket(), asio::buffer(raw)); }
    // `head`: the answer to a HEAD, whose Content-Length announces a body that is not sent.
    Answer read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(head);
        parser.body_limit(1 << 20);
        beast::error_code result = asio::error::would_block;
        stream_.expires_after(std::chrono::seconds(5));
        bhttp::async_read(stream_, buffer_, parser,
                          [&](beast::error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
        INFO(result.message());
        REQUIRE_FALSE(result);
        return parser.release();
    }
    Answer get(const std::string& raw, bool head = false) {
        send(raw);
        return read(head);
    }
    // True when the server closed the connection (and sent nothing more) within the deadline.
    bool closed_by_server() {
        beast::error_code result = asio::error::would_block;
        char byte;
        stream_.expires_after(std::chrono::seconds(5));
        stream_.async_read_some(asio::buffer(&byte, 1),
                                [&](beast::error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
        return result == asio::error::eof || result == asio::error::connection_reset;
    }
    std::size_t buffered() const { return buffer_.size(); }

  private:
    asio::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

// A mounted protocol that answers each request 50 ms later, from a thread of its own.
class LateEndpoint final : public http::Endpoint {
  public:
    std::size_t body_limit() const override { return 16; }
    void handle_request(std::size_t, http::Request request,
                        std::shared_ptr<http::Reply> reply) override {
        ++requests;
        threads_.emplace_back([reply, body = request.method + " " + request.query] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            reply->send(http::json_response(200, body));
        });
    }
    void handle_oversized(std::size_t, http::Request, std::shared_ptr<http::Reply> reply) override {
        ++oversized;
        reply->send(http::json_response(413, R"({"error":"too big for the endpoint"})"));
    }
    void handle_upgrade(std::size_t, http::Request, net::ShardSocket) override { ++upgrades; }
    void request_aborted(std::string_view, const http::Reply*) override { ++aborted; }

    // Joined before the shards go away: a reply holds its shard's executor.
    ~LateEndpoint() override {
        for (auto& t : threads_) t.join();
    }

    std::atomic<int> requests{0}, oversized{0}, upgrades{0}, aborted{0};

  private:
    std::vector<std::thread> threads_;  // touched by the connection's shard thread only
};

struct Fixture {
    Fixture() : shards(2) {
        router.get("/hello", [](const http::Request& r) {
            auto res = http::json_response(200, R"({"hello":"world"})");
            res.headers.emplace_back("ETag", "\"v1\"");
            res.headers.emplace_back("X-Method", r.method);
            return res;
        });
        router.post("/echo",
                    [](const http::Request& r) { return http::json_response(200, r.body); });
        router.mount("/late/", endpoint);
        listener = std::make_unique<http::Listener>(
            shards, router,
            http::ListenerOptions{.host = "127.0.0.1", .port = 0, .body_limit = 64});
        REQUIRE(listener->port() != 0);
        shards.start();
        listener->start();
    }
    ~Fixture() {
        listener->stop();
        shards.stop_and_join();
    }
    net::IoShards shards;
    http::Router router;
    LateEndpoint endpoint;
    std::unique_ptr<http::Listener> listener;
};

const std::string kHost = "Host: 127.0.0.1\r\n";

}  // namespace

TEST_CASE_METHOD(Fixture, "a GET route answers with its body and Content-Length", "[listener]") {
    Client c(listener->port());
    auto res = c.get("GET /hello HTTP/1.1\r\n" + kHost + "\r\n");
    CHECK(res.result_int() == 200);
    CHECK(res.body() == R"({"hello":"world"})");
    CHECK(res[bhttp::field::content_length] == std::to_string(res.body().size()));
    CHECK(res[bhttp::field::content_type] == "application/json");
    CHECK(res["X-Method"] == "GET");
}

TEST_CASE_METHOD(Fixture, "HEAD carries the GET's headers and Content-Length, and no body",
                 "[listener]") {
    Client c(listener->port());
    // Pipelined: were any body bytes sent after the HEAD's headers, the GET's answer would not
    // parse as the next response.
    c.send("HEAD /hello HTTP/1.1\r\n" + kHost + "\r\nGET /hello HTTP/1.1\r\n" + kHost + "\r\n");
    auto head = c.read(true);
    CHECK(head.result_int() == 200);
    CHECK(head.body().empty());
    CHECK(head[bhttp::field::content_length] == "17");
    CHECK(head[bhttp::field::etag] == "\"v1\"");
    CHECK(head["X-Method"] == "HEAD");
    auto get = c.read();
    CHECK(get.result_int() == 200);
    CHECK(get.body() == R"({"hello":"world"})");
    CHECK(get[bhttp::field::content_length] == head[bhttp::field::content_length]);
}

TEST_CASE_METHOD(Fixture, "unknown path 404, known path with another method 405 + Allow",
                 "[listener]") {
    Client c(listener->port());
    CHECK(c.get("GET /nope HTTP/1.1\r\n" + kHost + "\r\n").result_int() == 404);
    auto res = c.get("DELETE /hello HTTP/1.1\r\n" + kHost + "\r\n");
    CHECK(res.result_int() == 405);
    CHECK(res[bhttp::field::allow].find("GET") != beast::string_view::npos);
}

TEST_CASE_METHOD(Fixture, "keep-alive serves several requests on one connection; close closes",
                 "[listener]") {
    Client c(listener->port());
    for (int i = 0; i < 3; ++i) {
        auto res = c.get("POST /echo HTTP/1.1\r\n" + kHost + "Content-Length: 5\r\n\r\nhey " +
                         std::to_string(i));
        CHECK(res.result_int() == 200);
        CHECK(res.body() == "hey " + std::to_string(i));
        CHECK(res.keep_alive());
    }
    auto last = c.get("GET /hello HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n");
    CHECK_FALSE(last.keep_alive());
    CHECK(c.closed_by_server());
}

TEST_CASE_METHOD(Fixture, "a body over the limit is 413 and the connection closes", "[listener]") {
    Client c(listener->port());
    const std::string body(65, 'x');
    auto res = c.get("POST /echo HTTP/1.1\r\n" + kHost + "Content-Length: 65\r\n\r\n" + body);
    CHECK(res.result_int() == 413);
    CHECK(c.closed_by_server());
}

TEST_CASE_METHOD(Fixture, "malformed requests: 400, 431 past the header limit, then close",
                 "[listener]") {
    {
        Client c(listener->port());
        auto res = c.get("NOT HTTP AT ALL\r\n\r\n");
        CHECK(res.result_int() == 400);
        CHECK(c.closed_by_server());
    }
    {
        Client c(listener->port());
        auto res = c.get("GET /hello HTTP/1.1\r\n" + kHost +
                         "X-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n");
        CHECK(res.result_int() == 431);
        CHECK(c.closed_by_server());
    }
}

TEST_CASE_METHOD(Fixture, "a mounted endpoint gets its paths and may answer later, off-thread",
                 "[listener]") {
    Client c(listener->port());
    auto res = c.get("GET /late/x?k=v HTTP/1.1\r\n" + kHost + "\r\n");
    CHECK(res.result_int() == 200);
    CHECK(res.body() == "GET k=v");
    // The connection is reusable after a late answer, and a plain route still wins outside the
    // mount.
    CHECK(c.get("GET /hello HTTP/1.1\r\n" + kHost + "\r\n").result_int() == 200);
    auto big = c.get("POST /late/x HTTP/1.1\r\n" + kHost + "Content-Length: 17\r\n\r\n" +
                     std::string(17, 'y'));
    CHECK(big.result_int() == 413);
    CHECK(endpoint.requests == 1);
    CHECK(endpoint.oversized == 1);
    CHECK(endpoint.upgrades == 0);
}
