// The lifecycle's private and abuse-facing surface: /api/test/* off unless enabled and
// guarded by PULSE_TEST_TOKEN, /internal/outbox guarded by PULSE_REPLAY_TOKEN, header size and
// header timeout (slowloris), body size and body timeout, and the listener backing off when it
// runs out of descriptors and shedding connections that have not sent a request.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "support/fixture.hpp"

using namespace pulse::test;
using nlohmann::json;

namespace {

const json kStream = {{"streamId", "sec-1"}, {"sender", kG}, {"receiver", kC}, {"amount", "1"}};

int connect_raw(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

// Reads until the peer closes or `timeout` passes; `closed` tells which.
std::string read_until_close(int fd, std::chrono::milliseconds timeout, bool& closed) {
    std::string out;
    closed = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return out;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            closed = true;
            return out;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::size_t open_descriptors(pid_t pid) {
    std::size_t n = 0;
    for (auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        (void)entry;
        ++n;
    }
    return n;
}

std::size_t count_lines(const std::vector<std::string>& lines, const std::string& needle) {
    std::size_t n = 0;
    for (const auto& l : lines)
        if (l.find(needle) != std::string::npos) ++n;
    return n;
}

// Sends piece(i) every 200 ms (each well within any per-read timeout) until the lifecycle cuts
// the connection or 30 pieces went, checking that /health is served meanwhile. Returns whether it
// was cut, and how long that took in `took`.
bool dripped_until_cut(Lifecycle& lc, int fd, const std::function<std::string(int)>& piece,
                       std::chrono::steady_clock::duration& took) {
    const auto start = std::chrono::steady_clock::now();
    bool cut = false;
    for (int i = 0; i < 30 && !cut; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (i == 2) CHECK(http_request(lc.port(), "GET", "/health").status == 200);
        if (!send_all(fd, piece(i))) cut = true;
        bool closed = false;
        read_until_close(fd, std::chrono::milliseconds(1), closed);
        if (closed) cut = true;
    }
    took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    return cut;
}

}  // namespace

TEST_CASE("/api/test/* are off unless PULSE_TEST_ENDPOINTS=on", "[integration][security]") {
    Lifecycle lc(Env{{"PULSE_TEST_ENDPOINTS", ""}});  // unset: the default
    auto r = post_json(lc.port(), "/api/test/test-stream", kStream);
    CHECK(r.status == 404);
    CHECK(r.json().contains("error"));
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 0);
    lc.expect_no_event();
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_TEST_TOKEN guards /api/test/* with a bearer token", "[integration][security]") {
    const std::string token = "test-token-0123456789";
    Lifecycle lc(Env{{"PULSE_TEST_TOKEN", token}});
    for (const std::string& auth : {std::string(), std::string("Bearer wrong"),
                                    "Bearer " + token + "x", "Basic " + token, token}) {
        INFO(auth);
        auto r = http_request(lc.port(), "POST", "/api/test/test-stream", kStream.dump(),
                              "application/json", auth);
        CHECK(r.status == 401);
        CHECK(r.www_authenticate == "Bearer");
        CHECK(r.json().contains("error"));
    }
    CHECK(lc.db.count("SELECT count(*) FROM streams") == 0);
    lc.expect_no_event();
    auto ok = http_request(lc.port(), "POST", "/api/test/test-stream", kStream.dump(),
                           "application/json", "Bearer " + token);
    CHECK(ok.status == 200);
    CHECK(lc.next_event().seq == 1);
    // The token never reaches the log.
    for (const auto& line : lc.process->lines()) CHECK(line.find(token) == std::string::npos);
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_REPLAY_TOKEN guards /internal/outbox", "[integration][security]") {
    const std::string token = "replay-token-0123456789";
    Lifecycle lc(Env{{"PULSE_REPLAY_TOKEN", token}});
    REQUIRE(post_json(lc.port(), "/api/test/test-stream", kStream).status == 200);
    lc.next_event();
    auto refused = http_request(lc.port(), "GET", "/internal/outbox?after=0");
    CHECK(refused.status == 401);
    CHECK(refused.body.find(kG) == std::string::npos);
    CHECK(
        http_request(lc.port(), "GET", "/internal/outbox?after=0", {}, {}, "Bearer nope").status ==
        401);
    auto page =
        http_request(lc.port(), "GET", "/internal/outbox?after=0", {}, {}, "Bearer " + token);
    REQUIRE(page.status == 200);
    CHECK(page.json()["events"].size() == 1);
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_HTTP_HEADER_LIMIT: a bigger request head gets 431, then close",
          "[integration][security]") {
    Lifecycle lc(Env{{"PULSE_HTTP_HEADER_LIMIT", "4096"}});
    int fd = connect_raw(lc.port());
    REQUIRE(send_all(
        fd, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n"));
    bool closed = false;
    auto reply = read_until_close(fd, std::chrono::seconds(5), closed);
    ::close(fd);
    CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 431"));
    CHECK_THAT(reply, Catch::Contains("\"error\""));
    CHECK(closed);
    // Just under the limit is fine.
    int ok = connect_raw(lc.port());
    REQUIRE(send_all(ok, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " +
                             std::string(3000, 'a') + "\r\n\r\n"));
    CHECK_THAT(read_until_close(ok, std::chrono::seconds(5), closed),
               Catch::StartsWith("HTTP/1.1 200"));
    ::close(ok);
    auto metrics = http_request(lc.port(), "GET", "/metrics");
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_http_rejected_total 1"));
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_HTTP_HEADER_TIMEOUT_MS cuts a client that drips its headers (slowloris)",
          "[integration][security]") {
    Lifecycle lc(Env{{"PULSE_HTTP_HEADER_TIMEOUT_MS", "1000"}, {"PULSE_HTTP_TIMEOUT_MS", "30000"}});
    int fd = connect_raw(lc.port());
    REQUIRE(send_all(fd, "GET /health HTTP/1.1\r\nHost: x\r\n"));
    std::chrono::steady_clock::duration took{};
    // One header line at a time.
    CHECK(dripped_until_cut(
        lc, fd, [](int i) { return "X-Drip-" + std::to_string(i) + ": 1\r\n"; }, took));
    CHECK(took < std::chrono::milliseconds(3000));
    auto metrics = http_request(lc.port(), "GET", "/metrics");
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_http_header_timeouts_total 1"));
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_HTTP_TIMEOUT_MS cuts a client that drips its body; others are served",
          "[integration][security]") {
    Lifecycle lc(Env{{"PULSE_HTTP_TIMEOUT_MS", "1000"}, {"PULSE_HTTP_HEADER_TIMEOUT_MS", "30000"}});
    int fd = connect_raw(lc.port());
    REQUIRE(send_all(fd,
                     "POST /api/test/test-stream HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: 100\r\n\r\n{"));
    std::chrono::steady_clock::duration took{};
    // One body byte at a time.
    CHECK(dripped_until_cut(
        lc, fd, [](int) { return std::string(" "); }, took));
    CHECK(took < std::chrono::milliseconds(3000));
    auto metrics = http_request(lc.port(), "GET", "/metrics");
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_http_request_timeouts_total 1"));
    CHECK(lc.stop() == 0);
}

TEST_CASE("PULSE_HTTP_BODY_LIMIT: a declared body over it gets 413 before it is sent",
          "[integration][security]") {
    Lifecycle lc(Env{{"PULSE_HTTP_BODY_LIMIT", "4096"}});
    int fd = connect_raw(lc.port());
    REQUIRE(send_all(fd,
                     "POST /api/test/test-stream HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: 100000000\r\n\r\n"));
    bool closed = false;
    auto reply = read_until_close(fd, std::chrono::seconds(5), closed);
    ::close(fd);
    CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 413"));
    CHECK(closed);
    CHECK(http_request(lc.port(), "GET", "/health").status == 200);
    CHECK(lc.stop() == 0);
}

TEST_CASE("out of descriptors: the listener pauses, logs once, and recovers",
          "[integration][security]") {
    // Shedding off: the back-off alone is what is measured here.
    Lifecycle lc(Env{{"PULSE_SHED_IDLE_HANDSHAKES", "0"}});
    const pid_t pid = lc.process->pid();
    // Leave the service a handful of spare descriptors, then queue more connections than that.
    const rlim_t limit = static_cast<rlim_t>(open_descriptors(pid) + 4);
    rlimit lowered{limit, limit};
    REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &lowered, nullptr) == 0);
    std::vector<int> idle;
    for (int i = 0; i < 24; ++i) idle.push_back(connect_raw(lc.port()));
    const double cpu_before = cpu_seconds(pid);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const double cpu_used = cpu_seconds(pid) - cpu_before;
    const auto lines = lc.process->lines();
    const std::size_t logged = count_lines(lines, "accept failed");
    INFO("CPU seconds over 2 s of EMFILE: " << cpu_used
                                            << ", accept-failure log lines: " << logged);
    CHECK(logged >= 1);
    CHECK(logged <= 2);
    CHECK(cpu_used < 0.3);

    for (int fd : idle) ::close(fd);
    rlimit restored{4096, 4096};
    ::prlimit(pid, RLIMIT_NOFILE, &restored, nullptr);
    HttpReply health;
    for (int i = 0; i < 50 && health.status != 200; ++i) {
        try {
            health = http_request(lc.port(), "GET", "/health");
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    CHECK(health.status == 200);
    auto metrics = http_request(lc.port(), "GET", "/metrics");
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_accept_errors_total"));
    CHECK_THAT(metrics.body, !Catch::Contains("pulse_lifecycle_accept_errors_total 0"));
    CHECK(lc.stop() == 0);
}

TEST_CASE("out of descriptors: the oldest connections without a request are shed for newcomers",
          "[integration][security]") {
    // The head timeout is far off: only shedding can free a descriptor within the test. Two I/O
    // threads: sessions on both share the list the accept loop sheds from.
    Lifecycle lc(Env{{"PULSE_HTTP_HEADER_TIMEOUT_MS", "60000"}, {"PULSE_HTTP_THREADS", "2"}});
    const pid_t pid = lc.process->pid();
    // A keep-alive connection past its first request is never shed: it must still be served.
    int served = connect_raw(lc.port());
    const std::string health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(send_all(served, health));
    char first[4096];
    REQUIRE(::recv(served, first, sizeof first, 0) > 0);

    const rlim_t limit = static_cast<rlim_t>(open_descriptors(pid) + 8);
    rlimit lowered{limit, limit};
    REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &lowered, nullptr) == 0);
    std::vector<int> idle;
    for (int i = 0; i < 40; ++i) idle.push_back(connect_raw(lc.port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    const auto start = std::chrono::steady_clock::now();
    int newcomer = connect_raw(lc.port());
    REQUIRE(send_all(newcomer, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    bool closed = false;
    const std::string reply = read_until_close(newcomer, std::chrono::seconds(2), closed);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    ::close(newcomer);
    INFO("newcomer's reply after " << took.count() << " ms: " << reply.substr(0, 40));
    CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);

    // The keep-alive connection is still open and answers its next request.
    REQUIRE(send_all(served, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    closed = false;
    const std::string again = read_until_close(served, std::chrono::seconds(2), closed);
    CHECK(again.rfind("HTTP/1.1 200", 0) == 0);
    ::close(served);

    for (int fd : idle) ::close(fd);
    rlimit restored{4096, 4096};
    ::prlimit(pid, RLIMIT_NOFILE, &restored, nullptr);
    const auto metrics = http_request(lc.port(), "GET", "/metrics");
    CHECK_THAT(metrics.body, Catch::Contains("pulse_lifecycle_shed_connections_total"));
    CHECK_THAT(metrics.body, !Catch::Contains("pulse_lifecycle_shed_connections_total 0"));
    CHECK(count_lines(lc.process->lines(), "accept failed") <= 2);
    CHECK(lc.stop() == 0);
}
