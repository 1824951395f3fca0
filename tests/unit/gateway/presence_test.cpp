// The presence registry's wire messages between replicas, and the claims a resume takes: every
// kind of message carries each room's join offset to the peer, and messages of a replica that
// sends no offsets (an older version) still count sockets.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "app/presence.hpp"

using pulse::app::Membership;
using pulse::app::Presence;
using pulse::app::Scope;
using Json = nlohmann::json;

namespace {

// A replica whose outgoing messages are delivered to `to`.
void relay(Presence& from, Presence& to) {
    for (const auto& m : from.take_outgoing()) REQUIRE(to.apply(m));
}

}  // namespace

TEST_CASE("join offsets travel with joins, snapshots and disconnects, and a claim takes them") {
    Presence a("node-a"), b("node-b");
    a.set_linked(true);
    a.add("sid-1", "GA", "e:7");
    a.add("sid-1", "GB", "e:9");
    a.add("sid-2", "GA");  // recovery off on that socket: no offset

    SECTION("deltas") {
        relay(a, b);
        auto claimed = b.claim("sid-1");
        REQUIRE(claimed);
        CHECK(*claimed == std::vector<Membership>{{"GA", "e:7"}, {"GB", "e:9"}});
        CHECK_FALSE(b.claim("sid-1"));  // taken once
        CHECK(*b.claim("sid-2") == std::vector<Membership>{{"GA", ""}});
    }
    SECTION("a snapshot") {
        a.take_outgoing();
        REQUIRE(b.apply(a.snapshot_message()));
        CHECK(b.connections(Scope::cluster) ==
              std::map<std::string, std::size_t>{{"GA", 2}, {"GB", 1}});
        CHECK(*b.claim("sid-1") == std::vector<Membership>{{"GA", "e:7"}, {"GB", "e:9"}});
    }
    SECTION("a recoverable disconnect leaves an orphan with its offsets") {
        a.take_outgoing();
        a.remove("sid-1", "GB");
        a.disconnect("sid-1", true);
        relay(a, b);
        CHECK(b.connections(Scope::cluster) == std::map<std::string, std::size_t>{});
        CHECK(*b.claim("sid-1") == std::vector<Membership>{{"GA", "e:7"}});
    }
}

TEST_CASE("messages without offsets (an older replica) still count, with unknown offsets") {
    Presence b("node-b");
    REQUIRE(b.apply(R"({"n":"old","k":"j","s":"sid-1","a":"GA"})"));
    REQUIRE(b.apply(R"({"n":"old","k":"s","s":{"sid-2":["GA","GB"]}})"));
    CHECK(b.connections(Scope::cluster).at("GA") == 1);  // the snapshot replaced the join
    CHECK(*b.claim("sid-2") == std::vector<Membership>{{"GA", ""}, {"GB", ""}});
    REQUIRE(b.apply(R"({"n":"old","k":"d","s":"sid-3","r":true,"a":["GC"]})"));
    CHECK(*b.claim("sid-3") == std::vector<Membership>{{"GC", ""}});
}

TEST_CASE("malformed room lists are refused; offsets that do not match the rooms are dropped") {
    Presence b("node-b");
    CHECK_FALSE(b.apply(R"({"n":"p","k":"d","s":"x","r":true,"a":"GA"})"));
    CHECK_FALSE(b.apply(R"({"n":"p","k":"s","s":{"x":[1]}})"));
    REQUIRE(b.apply(R"({"n":"p","k":"d","s":"y","r":true,"a":["GA","GB"],"o":["e:1"]})"));
    CHECK(*b.claim("y") == std::vector<Membership>{{"GA", ""}, {"GB", ""}});
    REQUIRE(b.apply(R"({"n":"p","k":"j","s":"z","a":"GA","o":5})"));
    CHECK(*b.claim("z") == std::vector<Membership>{{"GA", ""}});
}
