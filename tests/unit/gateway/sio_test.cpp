// The Socket.IO layer over a fake Engine.IO socket: connect, namespaces, events, acks both ways,
// binary, malformed packets, connect timeout, disconnects.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "fake_engine_socket.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

using namespace std::chrono_literals;
using pulse::sio::Json;
using pulse::test::FakeEngineSocket;

namespace {

// The conformance server's behaviour, which these tests also pin down.
void install_echo(pulse::sio::Server& server, const std::string& nsp) {
    server.add_namespace(nsp, [](pulse::sio::Socket& s) {
        s.emit("auth", Json::array({s.auth()}));
        s.on("message", [](pulse::sio::Socket& self, const Json& args, const pulse::sio::Ack&) {
            self.emit("message-back", args);
        });
        s.on("message-with-ack",
             [](pulse::sio::Socket&, const Json& args, const pulse::sio::Ack& ack) {
                 if (ack) ack(args);
             });
    });
}

struct Fixture {
    boost::asio::io_context io;
    pulse::sio::Server server{1, pulse::sio::ServerOptions{200ms}};
    std::shared_ptr<FakeEngineSocket> eio = std::make_shared<FakeEngineSocket>();

    std::vector<std::shared_ptr<FakeEngineSocket>> others;

    Fixture() {
        install_echo(server, "/");
        install_echo(server, "/custom");
        server.attach(eio, io);
    }
    // Like the real engine, every session ends with on_close; that is what releases the Client.
    ~Fixture() {
        eio->end(pulse::engine::CloseReason::transport_close);
        for (auto& o : others) o->end(pulse::engine::CloseReason::transport_close);
    }
    std::shared_ptr<FakeEngineSocket> attach_other(std::string sid) {
        auto s = std::make_shared<FakeEngineSocket>(std::move(sid));
        server.attach(s, io);
        others.push_back(s);
        return s;
    }
    std::string last() const { return eio->sent.empty() ? "" : *eio->sent.back(); }
    // The sid the server put in its CONNECT answer for a namespace prefix like "40" or
    // "40/custom,".
    std::string connect_and_get_sid(std::string_view connect, std::string_view answer_prefix) {
        eio->receive(connect);
        for (const auto& t : eio->texts())
            if (t.rfind(answer_prefix, 0) == 0 && t.size() > answer_prefix.size() &&
                t[answer_prefix.size()] == '{')
                return Json::parse(t.substr(answer_prefix.size())).at("sid").get<std::string>();
        return "";
    }
};

}  // namespace

TEST_CASE("CONNECT to / is answered with a sid, then the handler runs") {
    Fixture f;
    const auto sid = f.connect_and_get_sid("0", "40");
    CHECK(sid.size() == 20);
    REQUIRE(f.eio->texts().size() == 2);
    CHECK(f.eio->texts()[1] == R"(42["auth",{}])");
    CHECK(f.server.socket_count(0) == 1);
}

TEST_CASE("CONNECT with an auth payload hands it to the socket") {
    Fixture f;
    f.eio->receive(R"(0{"token":"123"})");
    CHECK(f.last() == R"(42["auth",{"token":"123"}])");
}

TEST_CASE("custom namespace and unknown namespace") {
    Fixture f;
    CHECK_FALSE(f.connect_and_get_sid("0/custom,", "40/custom,").empty());
    CHECK(f.last() == R"(42/custom,["auth",{}])");
    f.eio->receive("0/random,");
    CHECK(f.last() == R"(44/random,{"message":"Invalid namespace"})");
    CHECK_FALSE(f.eio->closed);  // the connection stays open
    // Events for a namespace we are not connected to are ignored.
    f.eio->receive(R"(2/random,["message",1])");
    CHECK(f.last() == R"(44/random,{"message":"Invalid namespace"})");
}

TEST_CASE("events, acks and binary, as in the socket.io-protocol test suite") {
    Fixture f;
    f.eio->receive("0");
    f.eio->receive(R"(2["message",1,"2",{"3":[true]}])");
    CHECK(f.last() == R"(42["message-back",1,"2",{"3":[true]}])");

    f.eio->receive(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
    CHECK(f.last() == R"(43456[1,"2",{"3":[false]}])");

    f.eio->receive(R"(51-["message",{"_placeholder":true,"num":0}])");
    const auto before = f.eio->sent.size();
    f.eio->receive_binary(std::string("\x01\x02\x03", 3));
    REQUIRE(f.eio->sent.size() == before + 1);
    CHECK(f.last() == R"(451-["message-back",{"_placeholder":true,"num":0}])");
    REQUIRE(f.eio->binaries.size() == 1);
    CHECK(f.eio->binaries[0] == std::string("\x01\x02\x03", 3));

    f.eio->receive(R"(51-789["message-with-ack",{"_placeholder":true,"num":0}])");
    f.eio->receive_binary("zz");
    CHECK(f.last() == R"(461-789[{"_placeholder":true,"num":0}])");
    CHECK(f.eio->binaries.back() == "zz");
    CHECK_FALSE(f.eio->closed);
}

TEST_CASE("server-to-client acks") {
    boost::asio::io_context io;
    pulse::sio::Server server{1, {}};
    std::vector<Json> acked;
    server.add_namespace("/", [&](pulse::sio::Socket& s) {
        s.emit_with_ack("question", Json::array({"q1"}),
                        [&](const Json& args) { acked.push_back(args); });
    });
    auto eio = std::make_shared<FakeEngineSocket>();
    server.attach(eio, io);
    eio->receive("0");
    CHECK(*eio->sent.back() == R"(420["question","q1"])");
    eio->receive(R"(30["answer"])");
    REQUIRE(acked.size() == 1);
    CHECK(acked[0] == Json::array({"answer"}));
    eio->receive(R"(30["again"])");  // answered already: ignored
    CHECK(acked.size() == 1);
    eio->end(pulse::engine::CloseReason::transport_close);
}

TEST_CASE("malformed packets close that connection only") {
    for (const char* bad :
         {"abc", "2{}", R"(2abc["message-with-ack",1])", R"(2[{"toString":"foo"}])",
          R"(2["disconnect"])", "0\"str\"", R"(51-["message",{"_placeholder":true,"num":5}])"}) {
        INFO(bad);
        Fixture f;
        auto bystander = f.attach_other("sid-2");
        bystander->receive("0");
        f.eio->receive("0");
        f.eio->receive(bad);
        if (!f.eio->closed) f.eio->receive_binary("x");  // completes the binary case
        CHECK(f.eio->closed);
        CHECK_FALSE(bystander->closed);
        CHECK(f.server.socket_count(0) == 1);
        bystander->receive(R"(2["message","still here"])");
        CHECK(*bystander->sent.back() == R"(42["message-back","still here"])");
    }
}

TEST_CASE("no CONNECT within the connect timeout closes the session") {
    Fixture f;
    f.io.run_for(600ms);
    CHECK(f.eio->closed);
}

TEST_CASE("a CONNECT in time cancels the connect timeout") {
    Fixture f;
    f.eio->receive("0");
    f.io.run_for(400ms);
    CHECK_FALSE(f.eio->closed);
}

TEST_CASE("client DISCONNECT ends the namespace socket, the connection stays") {
    Fixture f;
    std::vector<std::string> reasons;
    f.server.add_namespace("/watched", [&](pulse::sio::Socket& s) {
        s.join("room-1");
        s.on_disconnect([&](pulse::sio::Socket& self, std::string_view why) {
            CHECK(self.rooms().empty());
            reasons.emplace_back(why);
        });
    });
    f.eio->receive("0/watched,");
    CHECK(f.server.rooms(0, "/watched")->room_size("room-1") == 1);
    f.eio->receive("1/watched,");
    CHECK(reasons == std::vector<std::string>{"client namespace disconnect"});
    CHECK(f.server.rooms(0, "/watched")->room_size("room-1") == 0);
    CHECK_FALSE(f.eio->closed);
    f.eio->receive(R"(2/watched,["message"])");  // no socket any more: ignored
}

TEST_CASE("transport close ends every socket of the connection and empties the rooms") {
    Fixture f;
    std::vector<std::string> reasons;
    f.server.add_namespace("/r", [&](pulse::sio::Socket& s) {
        s.join("a");
        s.join("b");
        s.on_disconnect(
            [&](pulse::sio::Socket&, std::string_view why) { reasons.emplace_back(why); });
    });
    f.eio->receive("0/r,");
    f.eio->receive("0");
    CHECK(f.server.socket_count(0) == 2);
    f.eio->end(pulse::engine::CloseReason::ping_timeout);
    CHECK(reasons == std::vector<std::string>{"ping timeout"});
    CHECK(f.server.socket_count(0) == 0);
    CHECK(f.server.rooms(0, "/r")->room_count() == 0);
}

TEST_CASE("server-side disconnect sends DISCONNECT, optionally closing the session") {
    Fixture f;
    f.server.add_namespace("/kick", [](pulse::sio::Socket& s) {
        s.on("kick-me", [](pulse::sio::Socket& self, const Json& args, const pulse::sio::Ack&) {
            self.disconnect(!args.empty() && args[0] == true);
        });
    });
    f.eio->receive("0/kick,");
    f.eio->receive(R"(2/kick,["kick-me",false])");
    CHECK(f.last() == "41/kick,");
    CHECK_FALSE(f.eio->closed);
    f.eio->receive("0/kick,");
    f.eio->receive(R"(2/kick,["kick-me",true])");
    CHECK(f.last() == "41/kick,");
    CHECK(f.eio->closed);
}

TEST_CASE("a broadcast through the namespace rooms reaches joined sockets with shared bytes") {
    Fixture f;
    f.server.add_namespace("/b", [](pulse::sio::Socket& s) { s.join("stream-X"); });
    auto other = f.attach_other("sid-2");
    f.eio->receive("0/b,");
    other->receive("0/b,");
    auto packet = std::make_shared<const std::string>(R"(42/b,["new-stream",{"a":1}])");
    const std::vector<std::string> rooms{"stream-X"};
    CHECK(f.server.rooms(0, "/b")->broadcast(rooms, packet) == 2);
    CHECK(f.eio->sent.back().get() == packet.get());
    CHECK(other->sent.back().get() == packet.get());
}

TEST_CASE("namespace-wide handlers serve every socket; a socket's own handler takes precedence") {
    boost::asio::io_context io;
    pulse::sio::Server server{1, {}};
    std::vector<std::string> log;
    server.add_namespace("/", [](pulse::sio::Socket& s) {
        s.join("room-" + s.auth().value("name", std::string("?")));
        if (s.auth().contains("own"))
            s.on("hello", [](pulse::sio::Socket& self, const Json&, const pulse::sio::Ack&) {
                self.emit("own-hello");
            });
    });
    server.on("/", "hello",
              [](pulse::sio::Socket& s, const Json& args, const pulse::sio::Ack& ack) {
                  s.emit("hi", args);
                  if (ack) ack(Json::array({"ok"}));
              });
    server.on_disconnecting("/", [&log](pulse::sio::Socket& s, std::string_view reason) {
        // Still in its rooms here.
        const auto rooms = s.rooms();
        log.push_back("disconnecting " + (rooms.empty() ? std::string("-") : rooms.front()) + " " +
                      std::string(reason));
    });
    server.on_disconnect("/", [&log](pulse::sio::Socket& s, std::string_view) {
        log.push_back("disconnect " + std::to_string(s.rooms().size()));
    });
    CHECK_THROWS_AS(server.on("/nope", "x", nullptr), std::invalid_argument);

    auto a = std::make_shared<FakeEngineSocket>("sid-a");
    auto b = std::make_shared<FakeEngineSocket>("sid-b");
    server.attach(a, io);
    server.attach(b, io);
    a->receive(R"(0{"name":"a"})");
    b->receive(R"(0{"name":"b","own":true})");
    a->receive(R"(27["hello",1])");
    CHECK(*a->sent[a->sent.size() - 2] == R"(42["hi",1])");
    CHECK(*a->sent.back() == R"(437["ok"])");
    b->receive(R"(2["hello",2])");
    CHECK(*b->sent.back() == R"(42["own-hello"])");

    a->end(pulse::engine::CloseReason::transport_close);
    REQUIRE(log.size() == 2);
    CHECK(log[0] == "disconnecting room-a transport close");
    CHECK(log[1] == "disconnect 0");
    CHECK(server.rooms(0, "/")->room_size("room-a") == 0);
    b->end(pulse::engine::CloseReason::transport_close);
    CHECK(log.size() == 4);
}

TEST_CASE("namespace-wide handlers are set-up only: registering one while serving throws") {
    Fixture f;  // a client is attached: the server is serving
    CHECK_THROWS_AS(
        f.server.on("/", "late",
                    [](pulse::sio::Socket&, const pulse::sio::Json&, const pulse::sio::Ack&) {}),
        std::logic_error);
    CHECK_THROWS_AS(f.server.on_disconnect("/", [](pulse::sio::Socket&, std::string_view) {}),
                    std::logic_error);
}

TEST_CASE("emit_json_text sends the same packet as emit, in the socket's namespace") {
    boost::asio::io_context io;
    pulse::sio::Server server{1, pulse::sio::ServerOptions{200ms}};
    for (const std::string nsp : {"/", "/custom"}) {
        server.add_namespace(nsp, [](pulse::sio::Socket& s) {
            s.emit("tree", Json::array({Json::parse(R"({"a":"x","b":[1,2]})")}));
            s.emit_json_text("tree", R"({"a":"x","b":[1,2]})");
        });
    }
    auto eio = std::make_shared<FakeEngineSocket>();
    server.attach(eio, io);
    eio->receive("0");
    eio->receive("0/custom,");
    std::vector<std::string> events;
    for (const auto& t : eio->texts())
        if (t.rfind("42", 0) == 0) events.push_back(t);
    REQUIRE(events.size() == 4);
    CHECK(events[0] == R"(42["tree",{"a":"x","b":[1,2]}])");
    CHECK(events[1] == events[0]);
    CHECK(events[2] == R"(42/custom,["tree",{"a":"x","b":[1,2]}])");
    CHECK(events[3] == events[2]);
    eio->end(pulse::engine::CloseReason::transport_close);
}
