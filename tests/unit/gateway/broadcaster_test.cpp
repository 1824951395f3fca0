// sio::Broadcaster, the gateway's one broadcast path: encoded once (the exact packet, with and
// without the recovery offset, in / and in another namespace), fanned out to every shard, sent
// once per socket across several rooms, recorded for recovery.
#include <catch2/catch.hpp>

#include <chrono>

#include "fake_engine_socket.hpp"
#include "net/io_shards.hpp"
#include "sio/broadcaster.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

using namespace std::chrono_literals;
using pulse::sio::Json;
using pulse::sio::Offset;
using pulse::test::FakeEngineSocket;

namespace {

const std::string kData = R"({"streamId":"s-1","amount":"100","status":"ACTIVE"})";

struct Fixture {
    explicit Fixture(pulse::sio::RecoveryStore* recovery = nullptr)
        : shards(2), server(2, [&] {
              pulse::sio::ServerOptions o;
              o.recovery = recovery;
              return o;
          }()) {
        for (const char* nsp : {"/", "/custom"}) {
            server.add_namespace(nsp, [](pulse::sio::Socket& s) {
                s.on("join",
                     [](pulse::sio::Socket& self, const Json& args, const pulse::sio::Ack&) {
                         for (const auto& room : args) self.join(room.get<std::string>());
                     });
            });
        }
    }

    // A connected socket on `shard` in `rooms` (of the main namespace).
    std::shared_ptr<FakeEngineSocket> socket(std::string sid, std::size_t shard, Json rooms) {
        auto s = std::make_shared<FakeEngineSocket>(std::move(sid), shard);
        server.attach(s, shards.at(shard));
        s->receive("0");
        Json join = Json::array({"join"});
        for (auto& room : rooms) join.push_back(room);
        s->receive("2" + join.dump());
        s->sent.clear();
        return s;
    }

    void run_shards() {
        for (std::size_t i = 0; i < shards.size(); ++i) {
            shards.at(i).restart();
            shards.at(i).poll();
        }
    }

    pulse::net::IoShards shards;
    pulse::sio::Server server;
};

}  // namespace

TEST_CASE("a broadcast is encoded once as 42[event,data], with the offset when recovery is on") {
    Fixture plain;
    pulse::sio::Broadcaster main_nsp(plain.shards, plain.server);
    CHECK(*main_nsp.encode("new-stream", kData, Offset{"e1", 42}) ==
          R"(42["new-stream",{"streamId":"s-1","amount":"100","status":"ACTIVE"}])");
    pulse::sio::Broadcaster custom(plain.shards, plain.server, "/custom");
    CHECK(*custom.encode("ev", "{}", Offset{"e1", 42}) == R"(42/custom,["ev",{}])");

    pulse::sio::RecoveryStore store(2, 60s);
    Fixture recovering(&store);
    pulse::sio::Broadcaster with_offset(recovering.shards, recovering.server, "/", &store);
    CHECK(*with_offset.encode("new-stream", kData, Offset{"e1", 42}) ==
          R"(42["new-stream",{"streamId":"s-1","amount":"100","status":"ACTIVE"},"e1:42"])");
}

TEST_CASE("a broadcast reaches every shard, each socket in any of the rooms once, one buffer") {
    pulse::sio::RecoveryStore store(2, 60s);
    Fixture f(&store);
    auto sender = f.socket("a", 0, Json::array({"room-A"}));
    auto both = f.socket("b", 1, Json::array({"room-A", "room-B"}));
    auto receiver = f.socket("c", 1, Json::array({"room-B"}));
    auto nobody = f.socket("d", 0, Json::array({"room-C"}));
    REQUIRE(f.server.rooms(1, "/")->room_size("room-B") == 2);

    pulse::sio::Broadcaster broadcaster(f.shards, f.server, "/", &store);
    broadcaster.broadcast({"room-A", "room-B"}, "new-stream", kData, Offset{"e1", 7});
    CHECK(sender->sent.empty());  // nothing is delivered before the shards run
    f.run_shards();

    REQUIRE(sender->sent.size() == 1);
    REQUIRE(both->sent.size() == 1);
    REQUIRE(receiver->sent.size() == 1);
    CHECK(nobody->sent.empty());
    CHECK(*sender->sent[0] ==
          R"(42["new-stream",{"streamId":"s-1","amount":"100","status":"ACTIVE"},"e1:7"])");
    // Encoded once: every socket on every shard holds the very same buffer.
    CHECK(sender->sent[0].get() == both->sent[0].get());
    CHECK(both->sent[0].get() == receiver->sent[0].get());
    // Recorded for recovery, and marked processed on each shard once delivered there.
    CHECK(store.last_processed(0) == Offset{"e1", 7});
    CHECK(store.last_processed(1) == Offset{"e1", 7});

    for (auto* s : {&sender, &both, &receiver, &nobody})
        (*s)->end(pulse::engine::CloseReason::transport_close);
}
