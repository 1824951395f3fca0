// app/status_endpoint: the status answers run on the endpoint's own thread, never on the I/O
// (shard) thread that handed the request over; past the queue bound the caller gets 503 at once;
// the plain-route semantics (exact path, GET/HEAD, 405, 413) hold; and, through a real listener,
// a status request is answered off the shard thread and an upgrade is closed.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/status_endpoint.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "net/io_shards.hpp"

using namespace pulse;
using namespace std::chrono_literals;

namespace {

// Records the answer and whether it came inline (on the caller's thread) or later.
class RecordingReply final : public http::Reply {
  public:
    void send(http::Response response) override {
        std::lock_guard lock(mu_);
        response_ = std::move(response);
        sender_ = std::this_thread::get_id();
        done_.notify_all();
    }
    // The answer within 5 s (a status of 0 when none came).
    http::Response wait() {
        std::unique_lock lock(mu_);
        done_.wait_for(lock, 5s, [this] { return response_.status != 0; });
        return response_;
    }
    bool answered() {
        std::lock_guard lock(mu_);
        return response_.status != 0;
    }
    std::thread::id sender() {
        std::lock_guard lock(mu_);
        return sender_;
    }

  private:
    std::mutex mu_;
    std::condition_variable done_;
    http::Response response_ = http::json_response(0, {});
    std::thread::id sender_;
};

http::Request request(std::string method, std::string path) {
    http::Request r;
    r.method = std::move(method);
    r.path = path;
    r.target = std::move(path);
    return r;
}

// An answer that blocks until released, to fill the queue behind it.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> entered{0};
    void wait() {
        ++entered;
        std::unique_lock lock(mu);
        cv.wait(lock, [this] { return open; });
    }
    void release() {
        {
            std::lock_guard lock(mu);
            open = true;
        }
        cv.notify_all();
    }
};

// Opens the gate when a test leaves, even by a failed REQUIRE: declared after the endpoint, it
// runs before the endpoint's destructor joins a worker that may be waiting at the gate.
struct OpenOnExit {
    Gate& gate;
    ~OpenOnExit() { gate.release(); }
};

}  // namespace

TEST_CASE("status answers run on the endpoint's thread, and the reply arrives", "[status]") {
    app::StatusEndpoint status(1024, 64);
    std::thread::id answered_on;
    std::atomic<int> observed{0};
    status.add(
        "/health",
        [&](const http::Request& r) {
            answered_on = std::this_thread::get_id();
            return http::json_response(200, R"({"m":")" + r.method + "\"}");
        },
        [&](double seconds) {
            CHECK(seconds >= 0);
            ++observed;
        });
    status.start();
    for (const char* method : {"GET", "HEAD"}) {
        auto reply = std::make_shared<RecordingReply>();
        status.handle_request(0, request(method, "/health"), reply);
        const auto res = reply->wait();
        CHECK(res.status == 200);
        CHECK(res.body == std::string(R"({"m":")") + method + "\"}");
        CHECK(answered_on != std::thread::id());
        CHECK(answered_on != std::this_thread::get_id());
        CHECK(reply->sender() == answered_on);
    }
    CHECK(observed == 2);
}

TEST_CASE("exact path only, GET/HEAD only, oversized 413: answered at once", "[status]") {
    app::StatusEndpoint status(1024, 64);
    std::atomic<int> answers{0};
    status.add("/ws-status", [&](const http::Request&) {
        ++answers;
        return http::json_response(200, "{}");
    });
    status.start();
    auto answer_now = [&](http::Request r, bool oversized = false) {
        auto reply = std::make_shared<RecordingReply>();
        if (oversized)
            status.handle_oversized(0, std::move(r), reply);
        else
            status.handle_request(0, std::move(r), reply);
        REQUIRE(reply->answered());  // inline, on the caller's thread
        return reply->wait();
    };
    CHECK(answer_now(request("GET", "/ws-status/x")).status == 404);
    CHECK(answer_now(request("GET", "/ws-statusz")).status == 404);
    const auto post = answer_now(request("POST", "/ws-status"));
    CHECK(post.status == 405);
    REQUIRE(post.headers.size() == 1);
    CHECK(post.headers[0] == std::pair<std::string, std::string>("Allow", "GET"));
    CHECK(answer_now(request("POST", "/ws-status"), true).status == 413);
    CHECK(answers == 0);
}

TEST_CASE("past the queue bound, requests get 503 at once while the worker is busy", "[status]") {
    constexpr std::size_t bound = 64;
    Gate gate;
    app::StatusEndpoint status(1024, bound);
    const OpenOnExit open_on_exit{gate};
    status.add("/health", [&](const http::Request&) {
        gate.wait();
        return http::json_response(200, R"({"status":"ok"})");
    });
    status.start();
    std::vector<std::shared_ptr<RecordingReply>> replies;
    auto send = [&] {
        replies.push_back(std::make_shared<RecordingReply>());
        status.handle_request(0, request("GET", "/health"), replies.back());
    };
    send();  // taken by the worker, which blocks in the answer
    for (int i = 0; i < 500 && gate.entered == 0; ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(gate.entered == 1);
    const auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < bound + 6; ++i) send();
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(took < 1s);  // nothing waited for the blocked worker
    for (std::size_t i = 0; i <= bound; ++i) CHECK_FALSE(replies[i]->answered());
    for (std::size_t i = bound + 1; i < replies.size(); ++i) {
        REQUIRE(replies[i]->answered());
        const auto res = replies[i]->wait();
        CHECK(res.status == 503);
        CHECK(replies[i]->sender() == std::this_thread::get_id());
    }
    CHECK(status.overloaded() == 6);
    gate.release();
    for (std::size_t i = 0; i <= bound; ++i) CHECK(replies[i]->wait().status == 200);
}

TEST_CASE("stop answers the queued requests 503 and later ones at once", "[status]") {
    Gate gate;
    app::StatusEndpoint status(1024, 8);
    const OpenOnExit open_on_exit{gate};
    status.add("/health", [&](const http::Request&) {
        gate.wait();
        return http::json_response(200, "{}");
    });
    status.start();
    auto first = std::make_shared<RecordingReply>(), queued = std::make_shared<RecordingReply>();
    status.handle_request(0, request("GET", "/health"), first);
    for (int i = 0; i < 500 && gate.entered == 0; ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(gate.entered == 1);
    status.handle_request(0, request("GET", "/health"), queued);
    auto stopped = std::async(std::launch::async, [&] { status.stop(); });
    std::this_thread::sleep_for(20ms);
    gate.release();
    REQUIRE(stopped.wait_for(5s) == std::future_status::ready);
    CHECK(first->wait().status == 200);
    CHECK(queued->wait().status == 503);
    auto late = std::make_shared<RecordingReply>();
    status.handle_request(0, request("GET", "/health"), late);
    CHECK(late->wait().status == 503);
}

namespace {

// One exchange over a blocking socket with a 5 s receive timeout: everything the server sends
// until it closes (the request asks for Connection: close).
std::string exchange(std::uint16_t port, const std::string& raw) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::address_v4::loopback(), port});
    timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    boost::asio::write(s, boost::asio::buffer(raw));
    std::string got;
    boost::system::error_code ec;
    boost::asio::read(s, boost::asio::dynamic_buffer(got), ec);
    return got;
}

}  // namespace

TEST_CASE("through the listener: answered off the shard thread; an upgrade is closed", "[status]") {
    net::IoShards shards(1);
    http::Router router;
    std::mutex mu;
    std::thread::id shard_thread, status_thread;
    router.get("/whoami", [&](const http::Request&) {
        std::lock_guard lock(mu);
        shard_thread = std::this_thread::get_id();
        return http::json_response(200, "{}");
    });
    app::StatusEndpoint status(1024, 64);
    status.add("/health", [&](const http::Request&) {
        std::lock_guard lock(mu);
        status_thread = std::this_thread::get_id();
        return http::json_response(200, R"({"status":"ok"})");
    });
    router.mount("/health", status);
    http::Listener listener(shards, router, http::ListenerOptions{.host = "127.0.0.1", .port = 0});
    shards.start();
    listener.start();
    status.start();
    const std::string close = "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";

    CHECK(exchange(listener.port(), "GET /whoami HTTP/1.1\r\n" + close).rfind("HTTP/1.1 200", 0) ==
          0);
    const auto health = exchange(listener.port(), "GET /health?scope=local HTTP/1.1\r\n" + close);
    CHECK(health.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(health.find(R"({"status":"ok"})") != std::string::npos);
    const auto head = exchange(listener.port(), "HEAD /health HTTP/1.1\r\n" + close);
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(head.find("Content-Length: 15") != std::string::npos);
    CHECK(head.find(R"({"status":"ok"})") == std::string::npos);
    CHECK(exchange(listener.port(), "GET /healthz HTTP/1.1\r\n" + close).rfind("HTTP/1.1 404", 0) ==
          0);
    CHECK(exchange(listener.port(),
                   "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: "
                   "websocket\r\nConnection: Upgrade\r\n\r\n")
              .empty());
    {
        std::lock_guard lock(mu);
        CHECK(shard_thread != std::thread::id());
        CHECK(status_thread != std::thread::id());
        CHECK(status_thread != shard_thread);
    }
    listener.stop();
    status.stop();
    shards.stop_and_join();
}
