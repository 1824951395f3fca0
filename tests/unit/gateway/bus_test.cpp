// The bus layer: seq/epoch tracking, decoded envelopes handed to the sink, malformed messages
// counted and dropped, and one real ZeroMQ PUB -> SUB round trip on loopback. (What the gateway's
// sink does with an envelope, encode once and fan out, is broadcaster_test.cpp.)
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "bus/sequence_tracker.hpp"
#include "bus/subscriber.hpp"

using namespace std::chrono_literals;
using pulse::bus::SequenceTracker;

namespace {

const std::string kAlice = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
const std::string kContract = "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA";

std::string envelope_json(std::int64_t seq, std::string epoch = "e1") {
    return R"({"v":1,"epoch":")" + epoch + R"(","seq":)" + std::to_string(seq) +
           R"(,"event":"new-stream","rooms":["stream-)" + kAlice + R"(","stream-)" + kContract +
           R"("],"data":{"streamId":"s-1","sender":")" + kAlice + R"(","receiver":")" + kContract +
           R"(","amount":"100","status":"ACTIVE","timestamp":"2026-11-26T09:30:00.123Z"}})";
}

}  // namespace

TEST_CASE("sequence tracking: in order, gaps, late arrivals, duplicates, epochs") {
    SequenceTracker t;
    auto v = t.observe("e1", 5);
    CHECK(v.deliver);
    CHECK(v.new_epoch);
    CHECK(v.missing == 0);  // a late start is not a gap we can measure

    CHECK(t.observe("e1", 6).missing == 0);
    v = t.observe("e1", 9);
    CHECK(v.deliver);
    CHECK(v.missing == 2);

    v = t.observe("e1", 7);  // published out of order: still delivered, once
    CHECK(v.deliver);
    CHECK(v.late);
    CHECK_FALSE(t.observe("e1", 7).deliver);
    CHECK_FALSE(t.observe("e1", 9).deliver);
    CHECK_FALSE(t.observe("e1", 1).deliver);  // older than what we followed: a replay

    v = t.observe("e2", 1);  // another database
    CHECK(v.new_epoch);
    CHECK(v.deliver);
    CHECK(t.observe("e1", 8).late);  // e1 is still followed
}

TEST_CASE("the missing-seq memory is bounded") {
    SequenceTracker t(16, 2);
    t.observe("e", 1);
    CHECK(t.observe("e", 1'000'000'000).missing == 999'999'998);
    CHECK(t.observe("e", 999'999'999).late);
    CHECK_FALSE(t.observe("e", 2).deliver);  // beyond the memory: treated as old
    t.observe("x", 1);
    t.observe("y", 1);  // "e" is forgotten (2 epochs at most)
    CHECK(t.observe("e", 5).new_epoch);
}

TEST_CASE("the sink gets the envelope as decoded") {
    pulse::envelope::RawEnvelope got;
    pulse::bus::Subscriber sub({}, [&](const pulse::envelope::RawEnvelope& e) { got = e; });
    sub.handle_frames({"new-stream", envelope_json(42, "e7")});
    CHECK(got.seq == 42);
    CHECK(got.epoch == "e7");
    CHECK(got.event == "new-stream");
    CHECK(got.rooms == std::vector<std::string>{"stream-" + kAlice, "stream-" + kContract});
    CHECK(nlohmann::json::parse(got.data_json).at("amount") == "100");
}

TEST_CASE("malformed and duplicate messages are dropped and counted") {
    std::vector<std::int64_t> seen;
    pulse::bus::Subscriber sub(
        {}, [&](const pulse::envelope::RawEnvelope& e) { seen.push_back(e.seq); });
    sub.handle_frames({"new-stream", envelope_json(1)});
    sub.handle_frames({"new-stream"});                    // one frame
    sub.handle_frames({"new-stream", "{not json"});       // not JSON
    sub.handle_frames({"new-stream", R"({"v":2})"});      // wrong shape
    sub.handle_frames({"new-stream", envelope_json(1)});  // duplicate
    sub.handle_frames({"new-stream", envelope_json(4)});  // gap of 2
    sub.handle_frames({"a", "b", "c"});
    // Valid JSON, but nested far deeper than anything legitimate: refused before decoding.
    sub.handle_frames(
        {"new-stream",
         R"({"v":1,"epoch":"e1","seq":9,"event":"new-stream","rooms":["r"],"data":{"x":)" +
             std::string(100000, '[') + std::string(100000, ']') + "}}"});
    CHECK(seen == std::vector<std::int64_t>{1, 4});
    const auto& s = sub.stats();
    CHECK(s.received == 8);
    CHECK(s.malformed == 5);
    CHECK(s.duplicates == 1);
    CHECK(s.delivered == 2);
    CHECK(s.gaps == 1);
    CHECK(s.missed == 2);
}

TEST_CASE("a real ZeroMQ publisher reaches the subscriber thread") {
    zmq::context_t ctx{1};
    zmq::socket_t pub{ctx, zmq::socket_type::pub};
    pub.set(zmq::sockopt::linger, 0);
    pub.bind("tcp://127.0.0.1:*");
    const std::string endpoint = pub.get(zmq::sockopt::last_endpoint);

    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> events;
    pulse::bus::Subscriber sub({endpoint}, [&](const pulse::envelope::RawEnvelope& e) {
        std::lock_guard lock(m);
        events.push_back(e.data_json);
        cv.notify_all();
    });
    sub.start();

    // PUB/SUB's slow joiner: publish (a fresh seq each time) until the subscriber sees one,
    // bounded in count and time.
    bool got = false;
    for (int attempt = 1; attempt <= 100 && !got; ++attempt) {
        const std::string body = envelope_json(attempt);
        std::array<zmq::const_buffer, 2> frames{zmq::str_buffer("new-stream"), zmq::buffer(body)};
        REQUIRE(zmq::send_multipart(pub, frames));
        std::unique_lock lock(m);
        got = cv.wait_for(lock, 50ms, [&] { return !events.empty(); });
    }
    sub.stop();
    REQUIRE(got);
    std::lock_guard lock(m);
    CHECK(events.front().rfind(R"({"streamId":"s-1")", 0) == 0);
}

TEST_CASE("a malformed endpoint is a start-up error") {
    pulse::bus::Subscriber sub({"not-an-endpoint"}, [](const pulse::envelope::RawEnvelope&) {});
    CHECK_THROWS_WITH(sub.start(), Catch::Contains("not-an-endpoint"));
}

TEST_CASE("replay endpoint URLs") {
    auto e = pulse::bus::parse_http_url("http://127.0.0.1:3001");
    REQUIRE(e);
    CHECK(e->host == "127.0.0.1");
    CHECK(e->port == "3001");
    CHECK(e->base_path.empty());
    e = pulse::bus::parse_http_url("http://lifecycle/prefix/");
    REQUIRE(e);
    CHECK(e->port == "80");
    CHECK(e->base_path == "/prefix");
    for (const char* bad : {"", "https://x:1", "http://", "http://:80", "http://h:", "http://h:80a",
                            "tcp://127.0.0.1:5556", "http://h:123456"})
        CHECK_FALSE(pulse::bus::parse_http_url(bad));
}

TEST_CASE("replay pages are parsed strictly") {
    std::string error;
    const std::string good = R"({"epoch":"e1","lastSeq":9,"hasMore":false,"events":[)" +
                             envelope_json(2) + "," + envelope_json(3) + "]}";
    auto page = pulse::bus::parse_replay_page(good, error);
    REQUIRE(page);
    CHECK(page->epoch == "e1");
    CHECK(page->last_seq == 9);
    CHECK_FALSE(page->has_more);
    REQUIRE(page->events.size() == 2);
    CHECK(page->events[1].seq == 3);
    // A repaired event reaches sockets with the bytes a live one has: data keeps its key order.
    const std::string live = envelope_json(3);
    const std::size_t data_at = live.find(R"("data":)") + 7;
    CHECK(page->events[1].data_json == live.substr(data_at, live.size() - data_at - 1));

    CHECK_FALSE(pulse::bus::parse_replay_page("nope", error));
    CHECK_FALSE(pulse::bus::parse_replay_page(R"({"epoch":"e1","events":[]})", error));
    CHECK_FALSE(pulse::bus::parse_replay_page(
        R"({"epoch":"e1","lastSeq":1,"hasMore":false,"events":[{"v":1}]})", error));
    CHECK(error.find("replay event") == 0);
}
