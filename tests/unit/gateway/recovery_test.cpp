// Connection state recovery: offsets, the store's rules, and a resumed socket over fake sessions.
#include <catch2/catch.hpp>

#include <thread>

#include <boost/asio/io_context.hpp>

#include "fake_engine_socket.hpp"
#include "sio/recovery.hpp"
#include "sio/recovery_credential.hpp"
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

// A Socket.IO server with recovery on, on one shard: a socket joins a room with
// ["join", room], and each connect records whether it resumed an earlier socket.
struct RecoveringServer {
    static pulse::sio::ServerOptions with(RecoveryStore& store) {
        pulse::sio::ServerOptions options;
        options.recovery = &store;
        return options;
    }
    RecoveringServer() {
        server.add_namespace("/", [this](pulse::sio::Socket& s) {
            recovered_flags.push_back(s.recovered());
            s.on("join", [](pulse::sio::Socket& self, const Json& args, const pulse::sio::Ack&) {
                self.join(args[0].get<std::string>());
            });
        });
    }
    boost::asio::io_context io;
    RecoveryStore store{1, 60s};
    pulse::sio::Server server{1, with(store)};
    std::vector<bool> recovered_flags;
};

}  // namespace

TEST_CASE("offsets are epoch:seq") {
    CHECK(pulse::sio::format_offset({"e1", 42}) == "e1:42");
    CHECK(pulse::sio::format_offset({}).empty());  // nothing seen yet
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
    RecoveringServer f;
    auto& [io, store, server, recovered_flags] = f;

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

// Under load a peer replica's bus can run ahead of ours: a client drained from it resumes here
// with an offset this shard has not delivered yet. Refusing it would lose what it misses while
// it starts afresh; resuming at once would send those events twice. The connect waits for the
// bus instead, and gives up (a fresh session, as before) if the events do not come.
TEST_CASE("a resume ahead of this shard waits for the bus, then resumes with nothing twice") {
    RecoveringServer f;
    auto& [io, store, server, recovered_flags] = f;
    auto first = std::make_shared<FakeEngineSocket>("s1");
    server.attach(first, io);
    first->receive("0");
    const auto hello = Json::parse(first->texts()[0].substr(2));
    const std::string sid = hello.at("sid");
    const std::string pid = hello.at("pid");
    first->receive(R"(2["join","room-A"])");
    first->end(pulse::engine::CloseReason::transport_close);
    store.record({"e", 7}, rooms({"room-A"}), packet("p7"));
    store.processed(0, {"e", 7});

    SECTION("the bus catches up: resumed, and neither 7 nor 8 is sent again") {
        auto second = std::make_shared<FakeEngineSocket>("s2");
        server.attach(second, io);
        second->receive(R"(0{"pid":")" + pid + R"(","offset":"e:8"})");
        CHECK(second->texts().empty());  // waiting for 8
        io.run_for(30ms);
        CHECK(second->texts().empty());  // still waiting
        store.record({"e", 8}, rooms({"room-A"}), packet("p8"));
        store.processed(0, {"e", 8});
        io.run_for(30ms);
        const auto texts = second->texts();
        REQUIRE(texts.size() == 1);
        CHECK(texts[0] == R"(40{"sid":")" + sid + R"(","pid":")" + pid + R"("})");
        CHECK(server.rooms(0, "/")->room_size("room-A") == 1);
        CHECK(recovered_flags == std::vector<bool>{false, true});
        second->end(pulse::engine::CloseReason::transport_close);
    }
    SECTION("the events never come: a fresh session after the wait, as without waiting") {
        auto second = std::make_shared<FakeEngineSocket>("s2");
        server.attach(second, io);
        second->receive(R"(0{"pid":")" + pid + R"(","offset":"e:99"})");
        io.run_for(200ms);
        CHECK(second->texts().empty());  // still within the wait (100 x 5 ms)
        io.run_for(2s);
        const auto texts = second->texts();
        REQUIRE(texts.size() == 1);
        const auto fresh = Json::parse(texts[0].substr(2));
        CHECK(fresh.at("sid") != sid);
        CHECK(recovered_flags == std::vector<bool>{false, false});
        second->end(pulse::engine::CloseReason::transport_close);
    }
}

// A session another replica held, claimed here through the presence link.
TEST_CASE("a peer's session resumes from each room's join offset when the client sent none") {
    pulse::sio::RecoveryCredential credential("a-key-of-sixteen-bytes-at-least");
    RecoveryStore store(1, 60s);
    int claims = 0;
    std::vector<RecoveryStore::ClaimedRoom> report;
    store.set_cluster(&credential, [&](const std::string& sid) {
        ++claims;
        CHECK(sid == "sid-9");
        return std::optional(report);
    });
    const std::string pid = credential.issue("sid-9");
    for (int s = 1; s <= 6; ++s)
        store.record({"e", s}, rooms({s % 2 ? "A" : "B"}), packet("p" + std::to_string(s)));
    store.processed(0, {"e", 6});
    pulse::sio::RestoreRefusal why{};

    SECTION("per room: A joined at 2, B at 4; the client got nothing yet") {
        report = {{"A", {"e", 2}}, {"B", {"e", 4}}};
        auto r = store.restore(0, pid, std::nullopt, &why);
        REQUIRE(r);
        CHECK(r->sid == "sid-9");
        std::vector<std::string> missed;
        for (const auto& p : r->missed) missed.push_back(*p);
        CHECK(missed == std::vector<std::string>{"p3", "p5", "p6"});  // not p1, p2 (A), p4 (B)
        // Where each room's replay started: what the resumed socket is known to have.
        CHECK(r->from == std::vector<Offset>{{"e", 2}, {"e", 4}});
    }
    SECTION("the client's own offset wins when it is later") {
        report = {{"A", {"e", 2}}, {"B", {"e", 4}}};
        auto r = store.restore(0, pid, Offset{"e", 5}, &why);
        REQUIRE(r);
        REQUIRE(r->missed.size() == 1);
        CHECK(*r->missed[0] == "p6");
    }
    SECTION("nothing says what it got: refused") {
        report = {{"A", {}}};
        CHECK_FALSE(store.restore(0, pid, std::nullopt, &why));
        CHECK(why == pulse::sio::RestoreRefusal::no_offset);
    }
    SECTION("a join ahead of this shard: refused for now, claimed once, resumed when caught up") {
        report = {{"A", {"e", 7}}};
        CHECK_FALSE(store.restore(0, pid, std::nullopt, &why));
        CHECK(why == pulse::sio::RestoreRefusal::ahead_of_shard);
        store.record({"e", 7}, rooms({"A"}), packet("p7"));
        store.record({"e", 8}, rooms({"A"}), packet("p8"));
        store.processed(0, {"e", 8});
        auto r = store.restore(0, pid, std::nullopt, &why);
        REQUIRE(r);
        REQUIRE(r->missed.size() == 1);
        CHECK(*r->missed[0] == "p8");
        CHECK(claims == 1);
    }
    SECTION("a forged pid, or no report: refused with the reason") {
        CHECK_FALSE(store.restore(0, "sid-9.forged", std::nullopt, &why));
        CHECK(why == pulse::sio::RestoreRefusal::unknown_session);
        store.set_cluster(&credential, [](const std::string&) {
            return std::optional<std::vector<RecoveryStore::ClaimedRoom>>();
        });
        CHECK_FALSE(store.restore(0, pid, Offset{"e", 6}, &why));
        CHECK(why == pulse::sio::RestoreRefusal::no_room_report);
    }
}

// A replica that has delivered no broadcast yet (it just started, or nothing was sent since)
// cannot tell what a peer's client missed: events published before it subscribed never reach
// it. It must not resume such a client with nothing replayed; it waits for the bus like a
// client ahead of it, then decides from what arrives.
TEST_CASE("a peer's session on a replica that has delivered nothing yet waits for the bus") {
    pulse::sio::RecoveryCredential credential("a-key-of-sixteen-bytes-at-least");
    RecoveryStore store(1, 60s);
    store.set_cluster(&credential, [](const std::string&) {
        return std::optional(std::vector<RecoveryStore::ClaimedRoom>{{"A", {"e", 2}}});
    });
    const std::string pid = credential.issue("sid-9");
    pulse::sio::RestoreRefusal why{};

    CHECK_FALSE(store.restore(0, pid, Offset{"e", 5}, &why));
    CHECK(why == pulse::sio::RestoreRefusal::ahead_of_shard);

    SECTION("the next event follows the client's offset: resumed, that event replayed") {
        store.record({"e", 6}, rooms({"A"}), packet("p6"));
        store.processed(0, {"e", 6});
        auto r = store.restore(0, pid, Offset{"e", 5}, &why);
        REQUIRE(r);
        REQUIRE(r->missed.size() == 1);
        CHECK(*r->missed[0] == "p6");
    }
    SECTION("events were published before this replica subscribed: refused, a fresh session") {
        store.record({"e", 9}, rooms({"A"}), packet("p9"));
        store.processed(0, {"e", 9});
        CHECK_FALSE(store.restore(0, pid, Offset{"e", 5}, &why));
        CHECK(why == pulse::sio::RestoreRefusal::history_gone);
    }
}

// The engine ends a session at once and tells the upper layer later (on_close is posted): a
// broadcast in between is dropped, so the saved session must not count it as seen.
TEST_CASE("a broadcast dropped between the session's end and on_close is replayed on resume") {
    RecoveringServer f;
    auto& [io, store, server, recovered_flags] = f;
    auto broadcast = [&](std::int64_t seq) {
        auto p = packet(R"(42["ev",{},"e:)" + std::to_string(seq) + R"("])");
        store.record({"e", seq}, rooms({"room-A"}), p);
        server.rooms(0, "/")->broadcast(std::vector<std::string>{"room-A"}, p);
        store.processed(0, {"e", seq});
    };
    auto first = std::make_shared<FakeEngineSocket>("s1");
    server.attach(first, io);
    first->receive("0");
    const auto hello = Json::parse(first->texts()[0].substr(2));
    const std::string pid = hello.at("pid");
    first->receive(R"(2["join","room-A"])");
    broadcast(1);  // delivered
    first->begin_end();
    broadcast(2);  // dropped: the session has ended, its on_close not yet run
    first->end(pulse::engine::CloseReason::transport_close);
    CHECK(first->texts().back() == R"(42["ev",{},"e:1"])");

    // The client got 1 but does not send it (as a client whose last event came in the same
    // packet as the close); what it was last known to have is 1, so 2 is replayed.
    auto second = std::make_shared<FakeEngineSocket>("s2");
    server.attach(second, io);
    second->receive(R"(0{"pid":")" + pid + R"("})");
    const auto texts = second->texts();
    REQUIRE(texts.size() == 2);
    CHECK(Json::parse(texts[0].substr(2)).at("sid") == hello.at("sid"));
    CHECK(texts[1] == R"(42["ev",{},"e:2"])");
    second->end(pulse::engine::CloseReason::transport_close);
}
