#pragma once
// One running lifecycle on its own fresh database, with a SUB socket on its bus, plus checks
// shared by the tests (the envelope received for a request, schema validation with ajv).
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pulse/envelope.hpp"
#include "support/bus_subscriber.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/test_database.hpp"

namespace pulse::test {

using Env = std::map<std::string, std::string>;

inline const std::string kG = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
inline const std::string kC = "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA";
inline const std::string kM =
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAAGZFQ";

inline std::map<std::string, std::string> lifecycle_env(
    const TestDatabase& db, std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {
        {"DATABASE_URL", db.url()},     {"LIFECYCLE_PORT", "0"},
        {"HOST", "127.0.0.1"},          {"PULSE_BUS_BIND", "tcp://127.0.0.1:*"},
        {"PULSE_TEST_ENDPOINTS", "on"}, {"LOG_LEVEL", "info"}};
    for (auto& [k, v] : extra) env[k] = v;
    return env;
}

// Runs tests/node/tools/validate-envelope.js (ajv, proto/ schemas) on the given envelopes.
bool envelopes_match_schema(const std::vector<std::string>& envelopes, std::string& output);

struct Lifecycle {
    TestDatabase db;
    std::unique_ptr<LifecycleProcess> process;
    std::unique_ptr<BusSubscriber> bus;
    std::vector<std::string> received;  // every envelope received, for schema validation

    explicit Lifecycle(std::map<std::string, std::string> extra_env = {}) {
        start(std::move(extra_env));
    }
    void start(std::map<std::string, std::string> extra_env = {}) {
        process = std::make_unique<LifecycleProcess>(lifecycle_env(db, std::move(extra_env)));
        process->wait_ready();
        bus = std::make_unique<BusSubscriber>(process->bus_endpoint());
    }
    int stop() {
        bus.reset();
        int code = process->terminate();
        return code;
    }
    std::uint16_t port() const { return process->port(); }

    // Next bus message, decoded with the shared codec; REQUIREs one within the timeout.
    envelope::Envelope next_event(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto m = bus->receive(timeout);
        REQUIRE(m);
        CHECK(m->frames == 2);
        auto decoded = envelope::decode(m->envelope);
        INFO(m->envelope << " -> " << decoded.error);
        REQUIRE(decoded);
        CHECK(m->topic == decoded.envelope->event);
        received.push_back(m->envelope);
        return *decoded.envelope;
    }
    // REQUIREs silence on the bus for `quiet`.
    void expect_no_event(std::chrono::milliseconds quiet = std::chrono::milliseconds(300)) {
        auto m = bus->receive(quiet);
        if (m) UNSCOPED_INFO("unexpected bus message: " << m->envelope);
        REQUIRE_FALSE(m);
    }
    void check_received_against_schema() {
        REQUIRE_FALSE(received.empty());
        std::string output;
        bool ok = envelopes_match_schema(received, output);
        INFO(output);
        CHECK(ok);
    }
};

}  // namespace pulse::test
