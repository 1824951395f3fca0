// The Engine.IO session state machine, driven through engine::Server's request API with fake
// HTTP replies, on io_contexts this test runs itself (no sockets, no threads): handshake, polling,
// heartbeat, bounded queue, duplicate/aborted GET, closing, shutdown, shard routing by sid.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "engine/server.hpp"
#include "net/io_shards.hpp"

using namespace pulse;
using namespace std::chrono_literals;

namespace {

struct FakeReply : http::Reply {
    std::optional<http::Response> response;
    void send(http::Response r) override {
        REQUIRE_FALSE(response);  // at most once
        response = std::move(r);
    }
};

http::Request make_request(std::string method, std::string query, std::string body = {}) {
    http::Request r;
    r.method = std::move(method);
    r.path = "/engine.io/";
    r.query = std::move(query);
    r.target = r.path + "?" + r.query;
    r.body = std::move(body);
    r.remote_address = "127.0.0.1";
    return r;
}

// Runs every shard's ready handlers from this thread until pred() holds or the time is up.
template <class Pred>
bool run_until(net::IoShards& shards, Pred pred, std::chrono::milliseconds timeout = 2000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
        for (std::size_t i = 0; i < shards.size(); ++i) {
            shards.at(i).restart();
            shards.at(i).poll();
        }
        if (!pred()) std::this_thread::sleep_for(1ms);
    }
    return pred();
}
void run_for(net::IoShards& shards, std::chrono::milliseconds d) {
    run_until(
        shards, [] { return false; }, d);
}

struct Harness {
    explicit Harness(engine::ServerOptions options = fast_options(), std::size_t shard_count = 1)
        : shards(shard_count),
          server(shards, std::move(options), [this](std::shared_ptr<engine::Socket> s) {
              sockets.push_back(s);
              auto listener = std::make_shared<engine::FunctionListener>();
              listener->message = [this](std::string_view data, bool binary) {
                  messages.emplace_back(std::string(data), binary);
              };
              listener->close = [this](engine::CloseReason r) { closes.push_back(r); };
              s->listener = std::move(listener);
          }) {}

    static engine::ServerOptions fast_options() {
        engine::ServerOptions o;
        o.ping_interval = 30ms;
        o.ping_timeout = 30ms;
        o.allowed_origins = {"http://allowed.example"};
        return o;
    }

    std::shared_ptr<FakeReply> request(std::string method, std::string query, std::string body = {},
                                       std::size_t conn_shard = 0, std::string origin = {}) {
        auto reply = std::make_shared<FakeReply>();
        auto req = make_request(std::move(method), std::move(query), std::move(body));
        if (!origin.empty()) req.headers.emplace_back("origin", origin);
        server.handle_request(conn_shard, std::move(req), reply);
        return reply;
    }
    std::string handshake(std::size_t conn_shard = 0) {
        auto r = request("GET", "EIO=4&transport=polling", {}, conn_shard);
        REQUIRE(r->response);
        REQUIRE(r->response->status == 200);
        const std::string& body = r->response->body;
        const auto at = body.find("\"sid\":\"");
        REQUIRE(at != std::string::npos);
        return body.substr(at + 7, 20);
    }
    std::shared_ptr<FakeReply> get(const std::string& sid, std::size_t conn_shard = 0) {
        return request("GET", "EIO=4&transport=polling&sid=" + sid, {}, conn_shard);
    }
    std::shared_ptr<FakeReply> post(const std::string& sid, std::string body) {
        return request("POST", "EIO=4&transport=polling&sid=" + sid, std::move(body));
    }
    bool answered(const std::shared_ptr<FakeReply>& r) {
        return run_until(shards, [&] { return r->response.has_value(); });
    }
    // The status a GET for `sid` gets now (0: no answer in time).
    int get_status(const std::string& sid) {
        auto r = get(sid);
        return answered(r) ? r->response->status : 0;
    }

    net::IoShards shards;
    std::vector<std::shared_ptr<engine::Socket>> sockets;
    std::vector<std::pair<std::string, bool>> messages;
    std::vector<engine::CloseReason> closes;
    engine::Server server;
};

std::string header(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "<none>";
}

}  // namespace

TEST_CASE("close reasons have the reference server's names", "[engine][session]") {
    using engine::CloseReason;
    CHECK(std::string(to_string(CloseReason::ping_timeout)) == "ping timeout");
    CHECK(std::string(to_string(CloseReason::transport_close)) == "transport close");
    CHECK(std::string(to_string(CloseReason::send_overflow)) == "send overflow");
}

TEST_CASE("handshake opens a session and calls on_connection once", "[engine][session]") {
    Harness h;
    auto r = h.request("GET", "EIO=4&transport=polling");
    REQUIRE(r->response);
    CHECK(r->response->content_type == "text/plain; charset=UTF-8");
    const std::string& body = r->response->body;
    CHECK(body.rfind("0{\"sid\":\"", 0) == 0);
    CHECK(
        body.find(
            R"("upgrades":["websocket"],"pingInterval":30,"pingTimeout":30,"maxPayload":1000000})") !=
        std::string::npos);
    CHECK(h.sockets.size() == 1);
    CHECK(h.server.session_count() == 1);
    CHECK(h.sockets[0]->transport_name() == "polling");
    CHECK(h.sockets[0]->request().remote_address == "127.0.0.1");
}

TEST_CASE("messages in, packets out in one poll response", "[engine][session]") {
    Harness h;
    const std::string sid = h.handshake();
    auto ok = h.post(sid,
                     "4hello\x1e"
                     "bAAE=");
    REQUIRE(h.answered(ok));
    CHECK(ok->response->body == "ok");
    REQUIRE(h.messages.size() == 2);
    CHECK(h.messages[0] == std::make_pair(std::string("hello"), false));
    CHECK(h.messages[1] == std::make_pair(std::string("\x00\x01", 2), true));

    auto& s = *h.sockets[0];
    s.send_text_packet(std::make_shared<const std::string>("4a"));
    s.send_binary(std::make_shared<const std::string>("\xff", 1));
    s.send_text_packet(std::make_shared<const std::string>("4b"));
    CHECK(s.buffered_bytes() == 5);
    auto get = h.get(sid);
    REQUIRE(h.answered(get));
    CHECK(get->response->body ==
          "4a\x1e"
          "b/w==\x1e"
          "4b");
    CHECK(s.buffered_bytes() == 0);
}

TEST_CASE("a waiting GET is answered when a packet is queued", "[engine][session]") {
    Harness h;
    const std::string sid = h.handshake();
    auto get = h.get(sid);
    run_for(h.shards, 5ms);
    CHECK_FALSE(get->response);
    h.sockets[0]->send_text_packet(std::make_shared<const std::string>("4x"));
    REQUIRE(h.answered(get));
    CHECK(get->response->body == "4x");
}

TEST_CASE("heartbeat: ping after pingInterval, pong keeps the session", "[engine][session]") {
    Harness h;
    const std::string sid = h.handshake();
    for (int i = 0; i < 4; ++i) {
        auto get = h.get(sid);
        REQUIRE(h.answered(get));
        CHECK(get->response->body == "2");
        REQUIRE(h.answered(h.post(sid, "3")));
    }
    CHECK(h.closes.empty());
    CHECK(h.server.session_count() == 1);
}

TEST_CASE("heartbeat: a missing pong closes with ping_timeout", "[engine][session]") {
    Harness h;
    const std::string sid = h.handshake();
    auto get = h.get(sid);
    REQUIRE(h.answered(get));
    CHECK(get->response->body == "2");
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::ping_timeout});
    CHECK(h.server.session_count() == 0);
    auto after = h.get(sid);
    REQUIRE(h.answered(after));
    CHECK(after->response->status == 400);
    CHECK(after->response->body == R"({"code":1,"message":"Session ID unknown"})");
}

TEST_CASE("the send queue is bounded in bytes; on_close is posted, not re-entrant",
          "[engine][session]") {
    auto options = Harness::fast_options();
    options.max_buffered_bytes = 100;
    options.ping_interval = 10s;
    Harness h(options);
    const std::string sid = h.handshake();
    auto& s = *h.sockets[0];
    const auto packet = std::make_shared<const std::string>(std::string(40, 'x'));
    s.send_text_packet(packet);
    s.send_text_packet(packet);
    CHECK(h.closes.empty());
    s.send_text_packet(packet);  // 120 > 100
    CHECK(h.closes.empty());     // not from inside send_text_packet
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::send_overflow});
    s.send_text_packet(packet);  // ignored after close
    CHECK(s.buffered_bytes() == 0);
    CHECK(h.closes.size() == 1);
}

TEST_CASE("duplicate GET: refused, first answered with close, session ends", "[engine][session]") {
    Harness h;
    const std::string sid = h.handshake();
    auto first = h.get(sid);
    CHECK(h.get_status(sid) == 400);
    REQUIRE(h.answered(first));
    CHECK(first->response->body == "1");
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::transport_error});
}

TEST_CASE("an aborted GET closes the session", "[engine][session]") {
    Harness h;
    const std::string sid = h.handshake();
    auto get = h.get(sid);
    run_for(h.shards, 2ms);
    h.server.request_aborted("EIO=4&transport=polling&sid=" + sid, get.get());
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::transport_error});
}

TEST_CASE("close packet and malformed payload", "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval =
        10s;  // the close POST's answer waits the race window: no ping meanwhile
    Harness h(options);
    const std::string a = h.handshake();
    const std::string b = h.handshake();
    REQUIRE(h.answered(h.post(a, "1")));
    REQUIRE(h.answered(h.post(b,
                              "4ok\x1e"
                              "x")));
    REQUIRE(run_until(h.shards, [&] { return h.closes.size() == 2; }));
    CHECK(h.closes[0] == engine::CloseReason::transport_close);
    CHECK(h.closes[1] == engine::CloseReason::transport_error);
    CHECK(h.messages.empty());  // a bad payload is refused as a whole
}

TEST_CASE("close() flushes the queue then the close packet", "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;
    Harness h(options);
    const std::string sid = h.handshake();
    auto& s = *h.sockets[0];
    s.send_text_packet(std::make_shared<const std::string>("4last"));
    s.close();
    // The queued packet, then the close packet alone (socket.io-client handles an answer's
    // events after its close packet: a resume would then get them twice).
    auto get = h.get(sid);
    REQUIRE(h.answered(get));
    CHECK(get->response->body == "4last");
    auto close = h.get(sid);
    REQUIRE(h.answered(close));
    CHECK(close->response->body == "1");
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::server_close});
}

TEST_CASE("close() with a GET waiting and a packet queued: the packet, then the close alone",
          "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;
    Harness h(options);
    const std::string sid = h.handshake();
    auto pending = h.get(sid);
    run_for(h.shards, 2ms);
    auto& s = *h.sockets[0];
    s.send_text_packet(std::make_shared<const std::string>("4a"));  // its flush is deferred
    s.send_text_packet(std::make_shared<const std::string>("4b"));
    s.close();
    REQUIRE(h.answered(pending));
    CHECK(pending->response->body ==
          "4a\x1e"
          "4b");
    auto close = h.get(sid);
    REQUIRE(h.answered(close));
    CHECK(close->response->body == "1");
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::server_close});
}

TEST_CASE("shutdown closes every session with server_shutdown", "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;
    Harness h(options);
    const std::string a = h.handshake();
    h.handshake();
    auto pending = h.get(a);
    h.server.shutdown();
    REQUIRE(h.answered(pending));
    CHECK(pending->response->body == "1");
    auto refused = h.request("GET", "EIO=4&transport=polling");
    REQUIRE(refused->response);
    CHECK(refused->response->status == 503);
    // The other session had no GET waiting: it ends at once all the same.
    REQUIRE(run_until(h.shards, [&] { return h.closes.size() == 2; }));
    CHECK(h.closes[0] == engine::CloseReason::server_shutdown);
    CHECK(h.closes[1] == engine::CloseReason::server_shutdown);
    CHECK(h.server.session_count() == 0);
}

TEST_CASE("shutdown: an idle polling session ends at once, its next GET still gets the close",
          "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;
    options.ping_timeout = 10s;  // the old close deadline: nothing here may wait for it
    Harness h(options);
    const std::string busy = h.handshake();
    const std::string idle = h.handshake();
    auto pending = h.get(busy);
    run_for(h.shards, 2ms);
    h.sockets[1]->send_text_packet(std::make_shared<const std::string>("4bye"));
    h.server.shutdown();
    REQUIRE(h.answered(pending));
    CHECK(pending->response->body == "1");
    REQUIRE(run_until(
        h.shards, [&] { return h.closes.size() == 2; }, 1000ms));
    CHECK(h.server.session_count() == 0);  // a draining process does not wait for its next poll
    auto queued = h.get(idle);
    REQUIRE(h.answered(queued));
    CHECK(queued->response->status == 200);
    CHECK(queued->response->body == "4bye");
    auto last = h.get(idle);
    REQUIRE(h.answered(last));
    CHECK(last->response->body == "1");
    CHECK(h.get_status(idle) == 400);
}

TEST_CASE("a close POST read before the client's GET: noop for that GET, 400 for a later one",
          "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;
    Harness h(options, 2);
    const std::string sid = h.handshake(0);
    auto post = h.post(sid, "1");  // its connection's shard reads it first
    REQUIRE(run_until(h.shards, [&] { return !h.closes.empty(); }));
    CHECK(h.closes == std::vector{engine::CloseReason::transport_close});
    CHECK(h.server.session_count() == 0);
    CHECK_FALSE(post->response);  // held until the GET sent with it is answered
    auto get = h.get(sid, 1);     // the GET, read later by the other shard
    REQUIRE(h.answered(get));
    CHECK(get->response->status == 200);
    CHECK(get->response->body == "6");
    REQUIRE(h.answered(post));
    CHECK(post->response->body == "ok");
    CHECK(h.get_status(sid) == 400);
}

TEST_CASE("a close POST with no GET coming is answered once the race window is over",
          "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;
    Harness h(options);
    const std::string sid = h.handshake();
    const auto start = std::chrono::steady_clock::now();
    auto post = h.post(sid, "1");
    REQUIRE(h.answered(post));
    CHECK(post->response->body == "ok");
    CHECK(std::chrono::steady_clock::now() - start >= 200ms);
    CHECK(h.get_status(sid) == 400);
}

TEST_CASE("the sid names its shard; requests from any shard reach it", "[engine][session]") {
    Harness h(Harness::fast_options(), 3);
    const std::string sid = h.handshake(2);
    CHECK(sid[0] == 'C');  // shard 2 in the sid alphabet
    CHECK(h.sockets[0]->shard() == 2);
    auto ok = h.post(sid, "4cross");  // arrives on shard 0
    REQUIRE(h.answered(ok));
    CHECK(ok->response->body == "ok");
    REQUIRE(h.messages.size() == 1);
    CHECK(h.get_status("z" + sid.substr(1)) == 400);
}

TEST_CASE("CORS headers on engine answers for allowed origins only", "[engine][session]") {
    Harness h;
    auto allowed = h.request("GET", "EIO=4&transport=polling", {}, 0, "http://allowed.example");
    REQUIRE(allowed->response);
    CHECK(header(*allowed->response, "Access-Control-Allow-Origin") == "http://allowed.example");
    auto refused = h.request("GET", "EIO=4&transport=polling", {}, 0, "http://evil.example");
    REQUIRE(refused->response);
    CHECK(refused->response->status == 403);
    CHECK(refused->response->body == R"({"code":4,"message":"Forbidden"})");
    CHECK(header(*refused->response, "Access-Control-Allow-Origin") == "<none>");
}

TEST_CASE("max_connections_per_address: a handshake past it gets 429, other addresses do not",
          "[engine][session]") {
    auto options = Harness::fast_options();
    options.ping_interval = 10s;  // no heartbeat ends a session during the test
    options.max_connections_per_address = 2;
    Harness h(options);
    h.handshake();
    h.handshake();
    auto refused = h.request("GET", "EIO=4&transport=polling", {}, 0, "http://allowed.example");
    REQUIRE(refused->response);
    CHECK(refused->response->status == 429);
    CHECK(refused->response->body == R"({"code":4,"message":"Too many connections"})");
    CHECK(header(*refused->response, "Access-Control-Allow-Origin") == "http://allowed.example");
    CHECK(h.server.session_count() == 2);
    CHECK(h.server.stats().address_refusals == 1);

    // Another address is not limited by this one's sessions.
    auto other = std::make_shared<FakeReply>();
    auto req = make_request("GET", "EIO=4&transport=polling");
    req.remote_address = "192.0.2.1";
    h.server.handle_request(0, std::move(req), other);
    REQUIRE(other->response);
    CHECK(other->response->status == 200);

    // A session's end gives its slot back.
    h.sockets[0]->close();
    REQUIRE(run_until(h.shards, [&] { return h.server.session_count() == 2; }));
    h.handshake();
    CHECK(h.server.stats().address_refusals == 1);
}
