// Connection state recovery: offsets, the store's rules, and a resumed socket over fake sessions.
#include <catch2/catch.hpp>

#include <thread>

#include <boost/asio/io_context.hpp>

#include "fake_engine_socket.hpp"
#include "sio/recovery.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

using namespace std::chrono_literals;
using pulse::sio::Json;
using pulse::sio::Offset;
using pulse::sio::RecoveryStore;
using pulse::test::FakeEngineSocket;

namespace {

std::shared_ptr<const std::vector<std::string>> rooms(std::initializer_list<std::string> r) {
    return std::make_shared<const std::vector<std::string>>(r);
}
std::shared_ptr<const std::string> packet(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

TEST_CASE("offsets are epoch:seq") {
    CHECK(pulse::sio::format_offset({"e1", 42}) == "e1:42");
    CHECK(pulse::sio::parse_offset("e1:42") == Offset{"e1", 42});
    CHECK(pulse::sio::parse_offset("a:b:7") == Offset{"a:b", 7});
    for (const char* bad : {"", "e1", ":5", "e1:", "e1:x", "e1:-1", "e1:5x"})
        CHECK_FALSE(pulse::sio::parse_offset(bad));
}

TEST_CASE("the store replays exactly the missed broadcasts of the saved rooms") {
    RecoveryStore store(1, 60s);
    store.record({"e", 1}, rooms({"A"}), packet("p1"));
    store.processed(0, {"e", 1});
    store.save("pid-1", "sid-1", {"A", "B"}, {"e", 1});
    store.record({"e", 2}, rooms({"A"}), packet("p2"));
    store.record({"e", 3}, rooms({"C"}), packet("p3"));
    store.record({"e", 4}, rooms({"B", "C"}), packet("p4"));
    store.processed(0, {"e", 3});  // 4 is posted to the shard but not delivered there yet

    auto r = store.restore(0, "pid-1", Offset{"e", 1});
    REQUIRE(r);
    CHECK(r->sid == "sid-1");
    CHECK(r->rooms == std::vector<std::string>{"A", "B"});
    REQUIRE(r->missed.size() == 1);  // p2; p3 is not for its rooms; p4 arrives the normal way
    CHECK(*r->missed[0] == "p2");
    CHECK_FALSE(store.restore(0, "pid-1", Offset{"e", 1}));  // taken once
}

TEST_CASE(
    "the client's offset wins over the saved one; unknown, expired or uncovered: no recovery") {
    RecoveryStore store(1, 60s, 3);
    for (int s = 1; s <= 5; ++s)
        store.record({"e", s}, rooms({"A"}), packet("p" + std::to_string(s)));
    store.processed(0, {"e", 5});
    store.save("p", "sid", {"A"}, {"e", 5});
    auto r = store.restore(0, "p", Offset{"e", 3});  // it had only got 3: 4 and 5 were in flight
    REQUIRE(r);
    REQUIRE(r->missed.size() == 2);
    CHECK(*r->missed[1] == "p5");

    store.save("p", "sid", {"A"}, {"e", 5});
    CHECK_FALSE(store.restore(0, "p", Offset{"e", 1}));  // history keeps 3..5 only: 2 is gone
    CHECK_FALSE(store.restore(0, "nobody", std::nullopt));
    store.save("p", "sid", {"A"}, {"e", 5});
    CHECK_FALSE(store.restore(0, "p", Offset{"other-db", 5}));

    RecoveryStore short_lived(1, 1ms);
    short_lived.save("p", "sid", {"A"}, {});
    std::this_thread::sleep_for(5ms);
    CHECK_FALSE(short_lived.restore(0, "p", std::nullopt));
}

TEST_CASE("a reconnecting client resumes its socket id and rooms and gets what it missed") {
    boost::asio::io_context io;
    RecoveryStore store(1, 60s);
    pulse::sio::ServerOptions options;
    options.recovery = &store;
    pulse::sio::Server server(1, options);
    std::vector<bool> recovered_flags;
    server.add_namespace("/", [&](pulse::sio::Socket& s) {
        recovered_flags.push_back(s.recovered());
        s.on("join", [](pulse::sio::Socket& self, const Json& args, const pulse::sio::Ack&) {
            self.join(args[0].get<std::string>());
        });
    });

    auto first = std::make_shared<FakeEngineSocket>("s1");
    server.attach(first, io);
    first->receive("0");
    const auto hello = Json::parse(first->texts()[0].substr(2));
    const std::string sid = hello.at("sid");
    const std::string pid = hello.at("pid");
    CHECK(sid != pid);
    first->receive(R"(2["join","room-A"])");
    first->end(pulse::engine::CloseReason::transport_close);
    CHECK(server.rooms(0, "/")->room_size("room-A") == 0);

    store.record({"e", 7}, rooms({"room-A"}), packet(R"(42["ev",{},"e:7"])"));
    server.rooms(0, "/")->broadcast(std::vector<std::string>{"room-A"}, packet("nobody"));
    store.processed(0, {"e", 7});

    auto second = std::make_shared<FakeEngineSocket>("s2");
    server.attach(second, io);
    second->receive(R"(0{"pid":")" + pid + R"(","offset":"e:6"})");
    const auto texts = second->texts();
    REQUIRE(texts.size() == 2);
    CHECK(texts[0] == R"(40{"sid":")" + sid + R"(","pid":")" + pid + R"("})");
    CHECK(texts[1] == R"(42["ev",{},"e:7"])");
    CHECK(server.rooms(0, "/")->room_size("room-A") == 1);
    CHECK(recovered_flags == std::vector<bool>{false, true});

    // A pid nobody knows: a fresh socket with a fresh pid.
    auto third = std::make_shared<FakeEngineSocket>("s3");
    server.attach(third, io);
    third->receive(R"(0{"pid":"made-up","offset":"e:1"})");
    const auto fresh = Json::parse(third->texts()[0].substr(2));
    CHECK(fresh.at("sid") != sid);
    CHECK(fresh.at("pid") != "made-up");
    CHECK(recovered_flags.back() == false);
    second->end(pulse::engine::CloseReason::transport_close);
    third->end(pulse::engine::CloseReason::transport_close);
}
