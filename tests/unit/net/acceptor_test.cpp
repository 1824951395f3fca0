// net::Acceptor over real sockets on 127.0.0.1: binds port 0 and reports the port, spreads
// accepted connections round-robin over the shards with each handler on its shard's thread and
// the peer's address, refuses a taken port with a one-line message, and stops accepting.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/acceptor.hpp"
#include "net/io_shards.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using pulse::net::Acceptor;
using pulse::net::IoShards;
using pulse::net::ShardSocket;

namespace {

struct Accepted {
    std::size_t shard;
    std::thread::id thread;
    tcp::endpoint peer;
    tcp::endpoint local;
};

// What the acceptor handed over, waited for with a bound.
class Log {
  public:
    void add(Accepted a, ShardSocket socket) {
        std::lock_guard lock(mutex_);
        entries_.push_back(a);
        sockets_.push_back(std::move(socket));
        changed_.notify_all();
    }
    std::vector<Accepted> wait_for(std::size_t n) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(5), [&] { return entries_.size() >= n; });
        return entries_;
    }
    std::size_t count() {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }
    // Bytes the client sent on accepted connection `i`, waited for with a bound. Call with the
    // shards stopped or the socket otherwise idle (no operation of its shard touches it).
    std::string read_from(std::size_t i, std::size_t n) {
        std::lock_guard lock(mutex_);
        auto& s = sockets_.at(i);
        for (int tries = 0; tries < 250 && s.available() < n; ++tries)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::string out(std::min(n, s.available()), '\0');
        if (!out.empty()) asio::read(s, asio::buffer(out));
        return out;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Accepted> entries_;
    std::vector<ShardSocket> sockets_;
};

std::vector<std::thread::id> shard_threads(IoShards& shards) {
    std::vector<std::thread::id> ids;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        std::promise<std::thread::id> p;
        auto f = p.get_future();
        asio::post(shards.at(i), [&p] { p.set_value(std::this_thread::get_id()); });
        REQUIRE(f.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
        ids.push_back(f.get());
    }
    return ids;
}

tcp::endpoint loopback(std::uint16_t port) {
    return {asio::ip::address_v4::loopback(), port};
}

}  // namespace

TEST_CASE("accepted connections go round-robin to the shards, on their threads",
          "[net][acceptor]") {
    IoShards shards(3);
    shards.start();
    const auto threads = shard_threads(shards);
    Log log;
    Acceptor acceptor(shards, "127.0.0.1", 0,
                      [&](ShardSocket s, const tcp::endpoint& peer, std::size_t shard) {
                          const auto local = s.local_endpoint();
                          log.add({shard, std::this_thread::get_id(), peer, local}, std::move(s));
                      });
    REQUIRE(acceptor.port() != 0);
    acceptor.start();
    acceptor.start();  // a second start is a no-op, not a second pending accept

    asio::io_context client_io;
    std::vector<tcp::socket> clients;
    for (int i = 0; i < 6; ++i) {
        clients.emplace_back(client_io);
        clients.back().connect(loopback(acceptor.port()));
        // One at a time, so the order of the accepts is the order of the connects.
        REQUIRE(log.wait_for(clients.size()).size() == clients.size());
    }
    const auto got = log.wait_for(6);
    REQUIRE(got.size() == 6);
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("connection " << i);
        CHECK(got[i].shard == i % 3);
        CHECK(got[i].thread == threads[got[i].shard]);
        // The peer handed over is the client's own address (no getpeername needed).
        CHECK(got[i].peer == clients[i].local_endpoint());
        CHECK(got[i].local.port() == acceptor.port());
    }
    CHECK(acceptor.accept_errors() == 0);
    acceptor.stop();
    shards.stop_and_join();
}

TEST_CASE("a taken port or a bad address is one error line naming the address", "[net][acceptor]") {
    IoShards shards(1);
    Acceptor first(shards, "127.0.0.1", 0, [](ShardSocket, const tcp::endpoint&, std::size_t) {});
    const std::string where = "127.0.0.1:" + std::to_string(first.port());
    try {
        Acceptor second(shards, "127.0.0.1", first.port(),
                        [](ShardSocket, const tcp::endpoint&, std::size_t) {});
        FAIL("bound a port that is already listening");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        CHECK(what.rfind("cannot listen on " + where + ": ", 0) == 0);
        CHECK(what.find('\n') == std::string::npos);
    }
    CHECK_THROWS_WITH(Acceptor(shards, "not-an-address", 0,
                               [](ShardSocket, const tcp::endpoint&, std::size_t) {}),
                      "cannot listen on not-an-address:0: invalid address");
}

TEST_CASE("after stop the port refuses connections; accepted ones are not touched",
          "[net][acceptor]") {
    IoShards shards(2);
    shards.start();
    Log log;
    Acceptor acceptor(shards, "127.0.0.1", 0,
                      [&](ShardSocket s, const tcp::endpoint& peer, std::size_t shard) {
                          log.add({shard, std::this_thread::get_id(), peer, {}}, std::move(s));
                      });
    const auto port = acceptor.port();
    acceptor.start();
    asio::io_context client_io;
    tcp::socket kept(client_io);
    kept.connect(loopback(port));
    REQUIRE(log.wait_for(1).size() == 1);

    acceptor.stop();
    // stop() is posted to the acceptor's shard: wait (bounded) until the port refuses.
    bool refused = false;
    for (int i = 0; i < 100 && !refused; ++i) {
        tcp::socket probe(client_io);
        boost::system::error_code ec;
        probe.connect(loopback(port), ec);
        refused = ec == asio::error::connection_refused;
        if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(refused);
    CHECK(log.count() == 1);  // nothing accepted after stop

    // The connection accepted before stop still works: bytes from the client arrive.
    shards.stop_and_join();
    const std::string hello = "still here";
    asio::write(kept, asio::buffer(hello));
    CHECK(log.read_from(0, hello.size()) == hello);
}
