// The HTTP surface around the domain: health, metrics, replay, 404/405/413/415, keep-alive,
// and PULSE_TEST_ENDPOINTS=off.
#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

TEST_CASE("health, metrics, unknown paths and methods", "[integration][http]") {
    Lifecycle lc(Env{{"PULSE_HTTP_BODY_LIMIT", "4096"}});
    auto health = http_request(lc.port(), "GET", "/health");
    CHECK(health.status == 200);
    CHECK(health.json() == json{{"status", "ok"}, {"database", true}, {"bus", true}});

    auto missing = http_request(lc.port(), "GET", "/nope");
    CHECK(missing.status == 404);
    CHECK(missing.json().contains("error"));

    auto wrong_method = http_request(lc.port(), "GET", "/api/test/test-stream");
    CHECK(wrong_method.status == 405);
    CHECK(wrong_method.allow == "POST");
    CHECK(wrong_method.json().contains("error"));
    CHECK(http_request(lc.port(), "DELETE", "/health").status == 405);

    auto big = http_request(lc.port(), "POST", "/api/test/test-stream", std::string(5000, ' '));
    CHECK(big.status == 413);
    CHECK(big.json().contains("error"));

    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "m"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}})
                .status == 200);
    lc.next_event();
    auto metrics = http_request(lc.port(), "GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK_THAT(metrics.content_type, Catch::StartsWith("text/plain"));
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_events_committed_total 1"));
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_bus_published_total 1"));
    CHECK(lc.stop() == 0);
}

TEST_CASE("health degrades to 503 when the database goes away", "[integration][http]") {
    Lifecycle lc;
    REQUIRE(http_request(lc.port(), "GET", "/health").status == 200);
    // Cut every connection of the service to its database, and forbid new ones.
    lc.db.admin_exec("ALTER DATABASE " + lc.db.name() + " ALLOW_CONNECTIONS false");
    lc.db.admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                     lc.db.name() + "'");
    auto down = http_request(lc.port(), "GET", "/health");
    CHECK(down.status == 503);
    CHECK(down.json() == json{{"status", "degraded"}, {"database", false}, {"bus", true}});
    // Liveness never depends on the database (an outage must not restart the process);
    // readiness does.
    CHECK(http_request(lc.port(), "GET", "/livez").status == 200);
    auto not_ready = http_request(lc.port(), "GET", "/readyz");
    CHECK(not_ready.status == 503);
    CHECK(not_ready.json()["database"] == false);
    auto refused =
        post_json(lc.port(), "/api/test/test-stream",
                  {{"streamId", "x"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}});
    CHECK(refused.status == 503);
    CHECK(refused.json().contains("error"));
    lc.expect_no_event();

    // The pool reconnects by itself once the database is back.
    lc.db.admin_exec("ALTER DATABASE " + lc.db.name() + " ALLOW_CONNECTIONS true");
    CHECK(http_request(lc.port(), "GET", "/health").status == 200);
    CHECK(post_json(lc.port(), "/api/test/test-stream",
                    {{"streamId", "x"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}})
              .status == 200);
    CHECK(lc.next_event().seq == 1);
    CHECK(http_request(lc.port(), "GET", "/readyz").status == 200);
    CHECK(lc.stop() == 0);
}

TEST_CASE("readiness: database reachable and migrated", "[integration][http]") {
    Lifecycle lc;
    auto ready = http_request(lc.port(), "GET", "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.json()["status"] == "ready");
    CHECK(ready.json()["schemaVersion"] == ready.json()["expectedSchemaVersion"]);
    CHECK(http_request(lc.port(), "GET", "/livez").json() == json{{"status", "alive"}});
    CHECK(http_request(lc.port(), "POST", "/readyz").status == 405);
    // A schema older than this binary expects (e.g. restored from an old dump): not ready.
    lc.db.exec(
        "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM "
        "schema_migrations)");
    auto stale = http_request(lc.port(), "GET", "/readyz");
    CHECK(stale.status == 503);
    CHECK(stale.json()["database"] == true);
    CHECK(http_request(lc.port(), "GET", "/livez").status == 200);
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_TEST_ENDPOINTS=off removes /api/test/*", "[integration][http]") {
    Lifecycle lc(Env{{"PULSE_TEST_ENDPOINTS", "off"}});
    auto r = post_json(lc.port(), "/api/test/test-stream",
                       {{"streamId", "x"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}});
    CHECK(r.status == 404);
    CHECK(r.json().contains("error"));
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 0);
    CHECK(http_request(lc.port(), "GET", "/health").status == 200);
    lc.expect_no_event();
    CHECK(lc.stop() == 0);
}

TEST_CASE("replay endpoint returns committed envelopes after a seq", "[integration][replay]") {
    Lifecycle lc;
    for (int i = 0; i < 5; ++i)
        REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                          {{"streamId", "s" + std::to_string(i)},
                           {"sender", kG},
                           {"receiver", kC},
                           {"amount", "1"}})
                    .status == 200);
    std::vector<pulse::envelope::Envelope> live;
    for (int i = 0; i < 5; ++i) live.push_back(lc.next_event());

    auto page = http_request(lc.port(), "GET", "/internal/outbox?after=1&limit=2");
    REQUIRE(page.status == 200);
    auto j = page.json();
    CHECK(j["epoch"] == live[0].epoch);
    CHECK(j["lastSeq"] == 5);
    CHECK(j["hasMore"] == true);
    REQUIRE(j["events"].size() == 2);
    std::vector<std::string> texts;
    for (int i = 0; i < 2; ++i) {
        auto text = j["events"][i].dump();
        texts.push_back(text);
        auto decoded = pulse::envelope::decode(text);
        REQUIRE(decoded);
        const auto& expected = live[static_cast<std::size_t>(i) + 1];
        CHECK(decoded.envelope->seq == expected.seq);
        CHECK(decoded.envelope->event == expected.event);
        CHECK(decoded.envelope->rooms == expected.rooms);
        CHECK(json::parse(decoded.envelope->data.dump()) == json::parse(expected.data.dump()));
    }
    auto rest = http_request(lc.port(), "GET", "/internal/outbox?after=3").json();
    CHECK(rest["hasMore"] == false);
    CHECK(rest["events"].size() == 2);
    CHECK(http_request(lc.port(), "GET", "/internal/outbox?after=-1").status == 400);
    CHECK(http_request(lc.port(), "GET", "/internal/outbox?limit=0").status == 400);
    CHECK(http_request(lc.port(), "GET", "/internal/outbox?after=abc").json()["field"] == "after");
    std::string out;
    CHECK(envelopes_match_schema(texts, out));
    CHECK(lc.stop() == 0);
}
