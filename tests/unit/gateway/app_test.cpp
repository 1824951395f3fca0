// The pulse application over fake Engine.IO sockets: join/leave/room-error with acks, joining
// twice, presence across sockets, cleanup on disconnect, and the /health and /ws-status bodies.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "app/status.hpp"
#include "app/stream_rooms.hpp"
#include "fake_engine_socket.hpp"
#include "sio/recovery.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

using pulse::sio::Json;
using pulse::test::FakeEngineSocket;

namespace {

const std::string kAlice = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
const std::string kContract = "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA";

struct App {
    boost::asio::io_context io;
    pulse::app::Presence presence;
    pulse::sio::Server server{2, {}};
    std::vector<std::shared_ptr<FakeEngineSocket>> sockets;

    App() { pulse::app::install_stream_rooms(server, presence); }
    ~App() {
        for (auto& s : sockets) s->end(pulse::engine::CloseReason::transport_close);
    }

    std::shared_ptr<FakeEngineSocket> connect(std::string sid, std::size_t shard = 0) {
        auto s = std::make_shared<FakeEngineSocket>(std::move(sid), shard);
        sockets.push_back(s);
        server.attach(s, io);
        s->receive("0");
        return s;
    }
};

std::string last(const FakeEngineSocket& s) {
    return *s.sent.back();
}
std::string nth_last(const FakeEngineSocket& s, std::size_t n) {
    return *s.sent[s.sent.size() - 1 - n];
}

// What a valid join or leave answers: the event (joined-room / left-room), then the ack `id`.
void check_room_answer(FakeEngineSocket& s, const char* event, const char* ack_id) {
    CHECK(nth_last(s, 1) == std::string(R"(42[")") + event + R"(",{"userAddress":")" + kAlice +
                                R"(","roomName":"stream-)" + kAlice + R"("}])");
    CHECK(last(s) ==
          std::string("43") + ack_id + R"([{"ok":true,"roomName":"stream-)" + kAlice + R"("}])");
}

}  // namespace

TEST_CASE("join-stream-room joins, answers joined-room and acks") {
    App app;
    auto a = app.connect("a");
    a->receive(R"(21["join-stream-room",")" + kAlice + R"("])");
    check_room_answer(*a, "joined-room", "1");
    CHECK(app.server.rooms(0, "/")->room_size("stream-" + kAlice) == 1);
    CHECK(app.presence.user_count() == 1);

    // Without an ack callback only the event is sent.
    a->receive(R"(2["join-stream-room",")" + kContract + R"("])");
    CHECK(last(*a) == R"(42["joined-room",{"userAddress":")" + kContract +
                          R"(","roomName":"stream-)" + kContract + R"("}])");
}

TEST_CASE("joining twice is harmless") {
    App app;
    auto a = app.connect("a");
    a->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    a->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    CHECK(app.server.rooms(0, "/")->room_size("stream-" + kAlice) == 1);
    CHECK(app.presence.connections() == std::map<std::string, std::size_t>{{kAlice, 1}});
    CHECK(last(*a).rfind(R"(42["joined-room")", 0) == 0);
}

TEST_CASE("an invalid address joins nothing and answers room-error with a negative ack") {
    App app;
    auto a = app.connect("a");
    const std::string bad = kAlice.substr(0, kAlice.size() - 1) + "A";  // checksum broken
    a->receive(R"(27["join-stream-room",")" + bad + R"("])");
    const auto err = Json::parse(nth_last(*a, 1).substr(2));
    CHECK(err[0] == "room-error");
    CHECK(err[1]["userAddress"] == bad);
    CHECK_FALSE(err[1]["error"].get<std::string>().empty());
    const auto ack = Json::parse(last(*a).substr(3));
    CHECK(ack[0]["ok"] == false);
    CHECK(app.server.rooms(0, "/")->room_count() == 0);
    CHECK(app.presence.user_count() == 0);

    a->receive(R"(2["join-stream-room",42])");
    CHECK(Json::parse(last(*a).substr(2))[1]["userAddress"] == 42);
    a->receive(R"(2["join-stream-room"])");
    CHECK(Json::parse(last(*a).substr(2))[1]["userAddress"] == nullptr);
    a->receive(R"(2["leave-stream-room","nope"])");
    CHECK(Json::parse(last(*a).substr(2))[0] == "room-error");
    CHECK_FALSE(a->closed);
}

TEST_CASE("leave-stream-room leaves and answers left-room") {
    App app;
    auto a = app.connect("a");
    a->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    a->receive(R"(23["leave-stream-room",")" + kAlice + R"("])");
    check_room_answer(*a, "left-room", "3");
    CHECK(app.server.rooms(0, "/")->room_size("stream-" + kAlice) == 0);
    CHECK(app.presence.user_count() == 0);
}

TEST_CASE("presence counts sockets per address across shards and forgets disconnected ones") {
    App app;
    auto a1 = app.connect("a1", 0);
    auto a2 = app.connect("a2", 1);
    auto c = app.connect("c", 1);
    a1->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    a2->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    c->receive(R"(2["join-stream-room",")" + kContract + R"("])");
    c->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    CHECK(app.presence.connections() ==
          std::map<std::string, std::size_t>{{kAlice, 3}, {kContract, 1}});
    CHECK(
        pulse::app::health_json(app.presence) ==
        R"({"status":"ok","message":"StellarStream Backend is running","websocket":true,"connectedUsers":2})");

    c->end(pulse::engine::CloseReason::transport_close);
    a1->end(pulse::engine::CloseReason::ping_timeout);
    CHECK(app.presence.connections() == std::map<std::string, std::size_t>{{kAlice, 1}});
    CHECK(pulse::app::ws_status_json(app.presence) ==
          R"({"connectedUsers":[")" + kAlice + R"("],"userConnections":{")" + kAlice + R"(":1}})");
    CHECK(app.server.rooms(1, "/")->room_size("stream-" + kContract) == 0);

    a2->receive("1");  // namespace disconnect also cleans up
    CHECK(app.presence.user_count() == 0);
    CHECK(pulse::app::ws_status_json(app.presence) ==
          R"({"connectedUsers":[],"userConnections":{}})");
}

// A client that never had a broadcast (socket.io-client then resumes without an offset) whose
// transport drops with events in flight: they were sent, not received. On the same replica it
// resumes from its room's join offset, so they come again; before, it resumed after what had
// been sent and lost them.
TEST_CASE("a client without an offset resumes here from its join: events in flight come again") {
    using namespace std::chrono_literals;
    boost::asio::io_context io;
    pulse::sio::RecoveryStore store(1, 60s);
    pulse::sio::ServerOptions options;
    options.recovery = &store;
    pulse::sio::Server server(1, options);
    pulse::app::Presence presence;
    pulse::app::install_stream_rooms(server, presence);
    pulse::app::connect_recovery(store, presence, nullptr);
    const std::string room = "stream-" + kAlice;
    auto broadcast = [&](std::int64_t seq) {
        auto p = std::make_shared<const std::string>(R"(42["new-stream",{},"e:)" +
                                                     std::to_string(seq) + R"("])");
        store.record({"e", seq}, std::make_shared<const std::vector<std::string>>(1, room), p);
        server.rooms(0, "/")->broadcast(std::vector<std::string>{room}, p);
        store.processed(0, {"e", seq});
    };
    broadcast(1);  // before the join: not for it

    auto first = std::make_shared<FakeEngineSocket>("s1");
    server.attach(first, io);
    first->receive("0");
    const auto hello = Json::parse(first->texts()[0].substr(2));
    first->receive(R"(2["join-stream-room",")" + kAlice + R"("])");
    broadcast(2);  // sent to it, never received
    broadcast(3);
    CHECK(last(*first) == R"(42["new-stream",{},"e:3"])");
    first->end(pulse::engine::CloseReason::transport_close);

    auto second = std::make_shared<FakeEngineSocket>("s2");
    server.attach(second, io);
    second->receive(R"(0{"pid":")" + hello.at("pid").get<std::string>() + R"("})");
    const auto texts = second->texts();
    REQUIRE(texts.size() == 3);
    CHECK(Json::parse(texts[0].substr(2)).at("sid") == hello.at("sid"));
    CHECK(texts[1] == R"(42["new-stream",{},"e:2"])");
    CHECK(texts[2] == R"(42["new-stream",{},"e:3"])");
    second->end(pulse::engine::CloseReason::transport_close);
}
