// engine::WsConnection over a real socketpair, as Beast tests its websocket stream: the server
// side is a WsConnection on an io_context this test runs; the client side is the raw other end.
// Covers the 101 answer, messages in, ping -> pong, batches under a tiny SO_SNDBUF (partial
// writes finished asynchronously, bytes intact and in order), a peer gone mid-frame, protocol
// errors (1002, 1009), and the close handshake from either side.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "engine/websocket_connection.hpp"
#include "engine/ws_frame.hpp"

using namespace pulse::engine;
using namespace std::chrono_literals;

namespace {

std::string client_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true) {
    std::string out(1, static_cast<char>(first_byte));
    const unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
    const char mask_bit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(mask_bit | static_cast<char>(payload.size())));
    } else {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    }
    if (masked) out.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(masked ? static_cast<char>(payload[i] ^ mask[i & 3]) : payload[i]);
    return out;
}

struct Owner : WsOwner {
    std::vector<std::string> messages;
    int drained = 0;
    std::vector<CloseReason> closed;
    void on_ws_message(WsConnection&, std::string_view data, bool) override {
        messages.emplace_back(data);
    }
    void on_ws_drained(WsConnection&) override { ++drained; }
    void on_ws_closed(WsConnection&, CloseReason reason) override { closed.push_back(reason); }
};

// One server frame as the client sees it.
struct Frame {
    std::uint8_t opcode;
    std::string payload;
};

struct Pair {
    explicit Pair(int server_sndbuf = 0, std::size_t max_message = 1 << 20) {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        if (server_sndbuf > 0)
            REQUIRE(::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &server_sndbuf,
                                 sizeof server_sndbuf) == 0);
        peer = fds[1];
        ::fcntl(peer, F_SETFL, ::fcntl(peer, F_GETFL) | O_NONBLOCK);
        WsConnection::Stream socket(io);
        // A stream socket is all WsConnection uses of it; the protocol tag is not checked.
        socket.assign(boost::asio::ip::tcp::v4(), fds[0]);
        ws = std::make_shared<WsConnection>(std::move(socket), max_message);
        owner = std::make_shared<Owner>();
    }
    ~Pair() {
        ws.reset();
        io.poll();
        if (peer >= 0) ::close(peer);
    }

    void accept() {
        ws->accept("dGhlIHNhbXBsZSBub25jZQ==", owner);
        const std::string answer = read_until_contains("\r\n\r\n");
        REQUIRE(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") !=
                std::string::npos);
        received.erase(0, answer.size());
    }
    void send(std::string_view bytes) { REQUIRE(::write(peer, bytes.data(), bytes.size()) > 0); }

    // Runs the server's handlers and drains the client side, until pred() or 2 s.
    template <class Pred>
    bool run_until(Pred pred, bool read = true) {
        const auto deadline = std::chrono::steady_clock::now() + 2s;
        while (!pred() && std::chrono::steady_clock::now() < deadline) {
            io.restart();
            io.poll();
            if (read) drain();
            if (!pred()) std::this_thread::sleep_for(1ms);
        }
        return pred();
    }
    void drain() {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(peer, buf, sizeof buf);
            if (n > 0) {
                received.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) eof = true;
            return;
        }
    }
    std::string read_until_contains(std::string_view what) {
        run_until([&] { return received.find(what) != std::string::npos; });
        return received.substr(0, received.find(what) + what.size());
    }
    // Complete server frames received so far (unmasked, FIN), consumed from `received`.
    std::vector<Frame> frames() {
        std::vector<Frame> out;
        for (;;) {
            if (received.size() < 2) return out;
            std::size_t len = static_cast<unsigned char>(received[1]) & 0x7F, header = 2;
            if (len == 126) {
                if (received.size() < 4) return out;
                len = (std::size_t(static_cast<unsigned char>(received[2])) << 8) |
                      static_cast<unsigned char>(received[3]);
                header = 4;
            } else if (len == 127) {
                if (received.size() < 10) return out;
                len = 0;
                for (int i = 0; i < 8; ++i)
                    len = (len << 8) | static_cast<unsigned char>(received[2 + i]);
                header = 10;
            }
            if (received.size() < header + len) return out;
            out.push_back(
                {static_cast<std::uint8_t>(received[0] & 0x0F), received.substr(header, len)});
            received.erase(0, header + len);
        }
    }

    boost::asio::io_context io{1};
    int peer = -1;
    std::shared_ptr<WsConnection> ws;
    std::shared_ptr<Owner> owner;
    std::string received;
    bool eof = false;
};

std::uint16_t close_code(const Frame& f) {
    REQUIRE(f.opcode == ws::close);
    REQUIRE(f.payload.size() >= 2);
    return static_cast<std::uint16_t>((static_cast<unsigned char>(f.payload[0]) << 8) |
                                      static_cast<unsigned char>(f.payload[1]));
}

}  // namespace

TEST_CASE("101 answer, messages in, ping answered with pong", "[engine][ws][connection]") {
    Pair p;
    p.accept();
    CHECK(p.ws->state() == WsConnection::State::open);
    // Two messages in one read, the second split across two writes of the client.
    const std::string second = client_frame(0x81, "4second");
    p.send(client_frame(0x81, "4first") + second.substr(0, 3));
    REQUIRE(p.run_until([&] { return p.owner->messages.size() == 1; }));
    p.send(second.substr(3) + client_frame(0x89, "hb"));
    REQUIRE(p.run_until([&] { return p.owner->messages.size() == 2 && !p.received.empty(); }));
    CHECK(p.owner->messages == std::vector<std::string>{"4first", "4second"});
    auto frames = p.frames();
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].opcode == ws::pong);
    CHECK(frames[0].payload == "hb");
}

TEST_CASE("a tiny send buffer forces partial writes; the rest follows intact and in order",
          "[engine][ws][connection]") {
    Pair p(/*server_sndbuf=*/4096);
    p.accept();
    PacketQueue queue;
    std::vector<std::string> sent;
    for (int i = 0; i < 8; ++i) {
        sent.push_back(std::string(40000, static_cast<char>('a' + i)) + std::to_string(i));
        queue.push(Outgoing{std::make_shared<const std::string>(sent.back()), false});
    }
    const int drained_before = p.owner->drained;  // the 101 answer's write counts once
    p.ws->write_from(queue);
    // The client has not read: the kernel took only part of the batch.
    CHECK_FALSE(p.ws->idle());
    CHECK(p.ws->in_flight_bytes() > 0);
    CHECK(p.owner->drained == drained_before);
    // Now the client reads; the rest is written as the socket drains, then the owner is told.
    std::vector<Frame> got;
    REQUIRE(p.run_until([&] {
        for (auto& f : p.frames()) got.push_back(std::move(f));
        if (p.owner->drained > drained_before && !queue.empty() && p.ws->idle())
            p.ws->write_from(queue);  // what did not fit in the first batch
        return got.size() == sent.size();
    }));
    for (std::size_t i = 0; i < sent.size(); ++i) {
        CHECK(got[i].opcode == ws::text);
        CHECK(got[i].payload == sent[i]);
    }
    CHECK(p.run_until([&] { return p.ws->idle(); }));
    CHECK(p.owner->closed.empty());
}

TEST_CASE("the peer going away mid-frame closes the connection as a transport close",
          "[engine][ws][connection]") {
    Pair p;
    p.accept();
    const std::string frame = client_frame(0x81, std::string(300, 'x'));
    p.send(frame.substr(0, 100));
    ::shutdown(p.peer, SHUT_WR);
    REQUIRE(p.run_until([&] { return !p.owner->closed.empty(); }));
    CHECK(p.owner->closed == std::vector<CloseReason>{CloseReason::transport_close});
    CHECK(p.owner->messages.empty());
    CHECK(p.ws->state() == WsConnection::State::closed);
}

TEST_CASE("protocol errors: unmasked frame -> 1002, oversized message -> 1009",
          "[engine][ws][connection]") {
    SECTION("unmasked") {
        Pair p;
        p.accept();
        p.send(client_frame(0x81, "4hi", /*masked=*/false));
        REQUIRE(p.run_until([&] { return p.eof; }));
        auto frames = p.frames();
        REQUIRE(frames.size() == 1);
        CHECK(close_code(frames[0]) == ws::close_protocol_error);
        CHECK(p.owner->closed == std::vector<CloseReason>{CloseReason::transport_error});
        CHECK(p.owner->messages.empty());
    }
    SECTION("too big") {
        Pair p(0, /*max_message=*/100);
        p.accept();
        p.send(client_frame(0x81, std::string(101, 'y')));
        REQUIRE(p.run_until([&] { return !p.owner->closed.empty() && !p.received.empty(); }));
        auto frames = p.frames();
        REQUIRE(frames.size() == 1);
        CHECK(close_code(frames[0]) == ws::close_too_big);
        CHECK(p.owner->closed == std::vector<CloseReason>{CloseReason::transport_error});
    }
}

TEST_CASE("close handshake started by the peer: answered, then the socket closes",
          "[engine][ws][connection]") {
    Pair p;
    p.accept();
    p.send(client_frame(0x88, std::string("\x03\xe8", 2)));  // 1000
    REQUIRE(p.run_until([&] { return p.eof; }));
    auto frames = p.frames();
    REQUIRE(frames.size() == 1);
    CHECK(close_code(frames[0]) == ws::close_normal);
    CHECK(p.owner->closed == std::vector<CloseReason>{CloseReason::transport_close});
    CHECK(p.ws->state() == WsConnection::State::closed);
}

TEST_CASE("close handshake started by us: backlog, close frame, then the peer's answer",
          "[engine][ws][connection]") {
    Pair p;
    p.accept();
    PacketQueue rest;
    rest.push(Outgoing{std::make_shared<const std::string>("4last words"), false});
    p.ws->close(ws::close_normal, std::move(rest));
    REQUIRE(p.run_until([&] {
        return p.ws->state() == WsConnection::State::close_queued && p.ws->idle() &&
               p.received.size() >= 17;
    }));
    auto frames = p.frames();
    REQUIRE(frames.size() == 2);
    CHECK(frames[0].payload == "4last words");
    CHECK(close_code(frames[1]) == ws::close_normal);
    // Half-closed (the client reads EOF) but lingering: the peer gets its turn to answer.
    CHECK(p.ws->state() == WsConnection::State::close_queued);
    p.send(client_frame(0x88, std::string("\x03\xe8", 2)));
    REQUIRE(p.run_until([&] { return p.ws->state() == WsConnection::State::closed; }));
    CHECK(p.owner->closed.empty());  // close() let the owner go: no callback afterwards
}
