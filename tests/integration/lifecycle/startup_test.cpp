// Start-up and shutdown: migrations once (also with two instances racing), clear one-line
// errors with a non-zero exit, SIGTERM exits 0.
#include <netinet/in.h>
#include <pqxx/pqxx>

#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <thread>

#include "support/fixture.hpp"

using namespace pulse::test;

namespace {
// A TCP port on 127.0.0.1 held open by this object (so "in use" is guaranteed).
struct HeldPort {
    int fd = -1;
    std::uint16_t port = 0;
    explicit HeldPort(bool listen_too = true) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        if (listen_too) REQUIRE(::listen(fd, 1) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~HeldPort() { ::close(fd); }
};

std::string last_error_line(LifecycleProcess& p) {
    for (auto& line : p.lines()) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("level", "") == "error") return j.value("msg", "");
    }
    return {};
}

void expect_startup_failure(std::map<std::string, std::string> env, const std::string& expected) {
    LifecycleProcess p(std::move(env));
    const int code = p.wait_exit();
    INFO("expected: " << expected);
    for (auto& l : p.lines()) UNSCOPED_INFO("lifecycle: " << l);
    CHECK(code > 0);
    CHECK_THAT(last_error_line(p), Catch::Contains(expected));
}
}  // namespace

TEST_CASE("migrations run once; a restart applies nothing", "[integration][migrations]") {
    Lifecycle lc;
    auto first_ready = lc.process->wait_for("database ready");
    REQUIRE(first_ready);
    CHECK((*first_ready)["migrations_applied"] ==
          nlohmann::json::array({1, 2, 3, 4, 5, 6, 7, 8, 9}));
    CHECK((*first_ready)["schema_version"] == 9);
    const auto epoch = (*first_ready)["epoch"].get<std::string>();
    REQUIRE(lc.stop() == 0);

    lc.start();
    auto second_ready = lc.process->wait_for("database ready");
    REQUIRE(second_ready);
    CHECK((*second_ready)["migrations_applied"] == nlohmann::json::array());
    CHECK((*second_ready)["epoch"] == epoch);
    CHECK(lc.db.count("SELECT count(*) FROM schema_migrations") == 9);
    CHECK(lc.stop() == 0);
}

TEST_CASE("two instances starting at once on an empty database", "[integration][migrations]") {
    TestDatabase db;
    LifecycleProcess a(lifecycle_env(db));
    LifecycleProcess b(lifecycle_env(db));
    a.wait_ready();
    b.wait_ready();
    auto ra = a.wait_for("database ready");
    auto rb = b.wait_for("database ready");
    REQUIRE(ra);
    REQUIRE(rb);
    // exactly one of them applied the migrations, both see the same epoch
    CHECK((*ra)["migrations_applied"].size() + (*rb)["migrations_applied"].size() == 9);
    CHECK((*ra)["epoch"] == (*rb)["epoch"]);
    CHECK(db.count("SELECT count(*) FROM schema_migrations") == 9);
    CHECK(db.count("SELECT count(*) FROM pulse_meta WHERE key = 'epoch'") == 1);
    CHECK(db.count("SELECT count(*) FROM pulse_outbox_counter") == 1);
    // both serve, sharing one seq sequence
    REQUIRE(post_json(a.port(), "/api/test/test-stream",
                      {{"streamId", "a"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}})
                .status == 200);
    auto rb2 = post_json(b.port(), "/api/test/test-stream",
                         {{"streamId", "b"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}});
    REQUIRE(rb2.status == 200);
    CHECK(rb2.json()["seq"] == 2);
    CHECK(a.terminate() == 0);
    CHECK(b.terminate() == 0);
}

TEST_CASE("start-up errors: one line saying what and where, non-zero exit",
          "[integration][startup]") {
    TestDatabase db;
    SECTION("unreachable PostgreSQL") {
        HeldPort closed(false);  // bound, not listening: connection refused
        expect_startup_failure(
            lifecycle_env(db, {{"DATABASE_URL", "postgresql://pulse@127.0.0.1:" +
                                                    std::to_string(closed.port) + "/pulse"}}),
            "cannot reach PostgreSQL at 127.0.0.1:" + std::to_string(closed.port));
    }
    SECTION("bad DATABASE_URL") {
        expect_startup_failure(
            lifecycle_env(db,
                          {{"DATABASE_URL", "postgresql://pulse@127.0.0.1:5432/pulse?nonsense=1"}}),
            "bad DATABASE_URL");
    }
    SECTION("missing DATABASE_URL") {
        auto env = lifecycle_env(db);
        env["DATABASE_URL"] = "";
        expect_startup_failure(env, "DATABASE_URL is required");
    }
    SECTION("HTTP port in use") {
        HeldPort busy;
        expect_startup_failure(lifecycle_env(db, {{"LIFECYCLE_PORT", std::to_string(busy.port)}}),
                               "cannot listen on 127.0.0.1:" + std::to_string(busy.port));
    }
    SECTION("bus endpoint in use") {
        HeldPort busy;
        const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(busy.port);
        expect_startup_failure(lifecycle_env(db, {{"PULSE_BUS_BIND", endpoint}}),
                               "cannot bind the bus at " + endpoint);
    }
    SECTION("malformed port") {
        expect_startup_failure(lifecycle_env(db, {{"LIFECYCLE_PORT", "http"}}), "LIFECYCLE_PORT");
    }
}

TEST_CASE("SIGTERM lets an in-flight request finish, then exits 0", "[integration][shutdown]") {
    Lifecycle lc;
    REQUIRE(post_json(lc.port(), "/api/test/test-stream",
                      {{"streamId", "t"}, {"sender", kG}, {"receiver", kC}, {"amount", "100"}})
                .status == 200);
    // Hold the stream's row lock from outside so a withdrawal is in flight when SIGTERM arrives.
    pqxx::connection blocker(lc.db.url());
    pqxx::work tx(blocker);
    tx.exec("SELECT 1 FROM streams WHERE stream_id = 't' FOR UPDATE");
    std::atomic<int> status{0};
    std::thread client([&] {
        status =
            post_json(lc.port(), "/api/test/test-withdrawal", {{"streamId", "t"}, {"amount", "1"}})
                .status;
    });
    // Wait (bounded) until the withdrawal is waiting on the lock.
    for (int i = 0; i < 200 && lc.db.count("SELECT count(*) FROM pg_locks WHERE NOT granted") == 0;
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(lc.db.count("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0);
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        tx.commit();
    });
    const int code = lc.process->terminate();
    releaser.join();
    client.join();
    CHECK(code == 0);
    CHECK(status == 200);  // answered, not cut
    CHECK(lc.db.scalar("SELECT withdrawn::text FROM streams WHERE stream_id = 't'") == "1");
    CHECK(lc.process->wait_for("stopped", std::chrono::seconds(1)));
}

TEST_CASE("the schema itself refuses rows the service never writes (domains of migration 3)",
          "[integration][migrations]") {
    Lifecycle lc;
    const std::string g = kG, c = kC;
    // A valid row goes in: the refusals below are about the values, not the statement shape.
    lc.db.exec("INSERT INTO streams (stream_id, sender, receiver, amount) VALUES ('ok', '" + g +
               "', '" + c + "', 10)");
    const std::vector<std::string> refused = {
        "INSERT INTO streams (stream_id, sender, receiver, amount) VALUES ('a', 'GBAD', '" + c +
            "', 1)",
        "INSERT INTO streams (stream_id, sender, receiver, amount) VALUES ('b', '" + g + "', '" +
            c + "', -1)",
        "INSERT INTO streams (stream_id, sender, receiver, amount) VALUES ('', '" + g + "', '" + c +
            "', 1)",
        "UPDATE streams SET status = 'PAUSED' WHERE stream_id = 'ok'",
        "UPDATE streams SET withdrawn = 11 WHERE stream_id = 'ok'",  // table CHECK: <= amount
        "INSERT INTO withdrawals (stream_id, amount) VALUES ('ok', -5)",
        "INSERT INTO pulse_outbox (seq, event, rooms, data) VALUES (0, 'e', ARRAY['r'], '{}')",
        "INSERT INTO pulse_outbox (seq, event, rooms, data) VALUES (99, '', ARRAY['r'], '{}')",
        "INSERT INTO pulse_outbox (seq, event, rooms, data) VALUES (99, 'e', ARRAY[]::text[], "
        "'{}')",
        "INSERT INTO pulse_outbox (seq, event, rooms, data) VALUES (99, 'e', ARRAY['r'], '[]')",
        "UPDATE pulse_outbox_counter SET last_seq = -1",
    };
    for (const auto& sql : refused) {
        INFO(sql);
        CHECK_THROWS(lc.db.exec(sql));
    }
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 1);
    CHECK(lc.db.count("SELECT count(*) FROM pulse_outbox") == 0);
}
