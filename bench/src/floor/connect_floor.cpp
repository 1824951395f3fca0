#include "connect_floor.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <unordered_map>

#include "../core/ws_frame.hpp"
#include "../load/cli_args.hpp"

namespace pulse::bench {
namespace {

// The same bytes, in the same number of writes, as the best a Socket.IO server can do per
// connection: the 101 answer and the Engine.IO open packet in one write, then one write per
// answer. Sizes match pulse-gateway's (129-byte 101, 107-byte open packet, 32-byte CONNECT
// answer, ~170-byte joined-room), so the kernel work is the same as the gateway's.
constexpr std::string_view kSwitching =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
constexpr std::string_view kOpen =
    R"(0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":25000,"pingTimeout":20000,)"
    R"("maxPayload":1000000})";
constexpr std::string_view kConnected = R"(40{"sid":"BBBBBBBBBBBBBBBBBBBB"})";
// The load client's frames are small; anything larger is not the load client.
constexpr std::size_t kMaxFrame = 64 * 1024;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

enum class Stage { http, await_connect, await_join, joined };

struct Conn {
    Stage stage = Stage::http;
    std::string in;
};

// Small answers into an empty socket buffer: one write takes them whole; anything else is a
// connection gone wrong, and it is closed.
bool write_all(int fd, const std::string& out) {
    return ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
}

// Advances one connection on newly read bytes. Returns false when it was closed.
bool on_bytes(int fd, Conn& c, std::string& scratch, std::string& payload) {
    for (;;) {
        scratch.clear();
        if (c.stage == Stage::http) {
            const auto end = c.in.find("\r\n\r\n");
            if (end == std::string::npos) return true;
            c.in.erase(0, end + 4);
            scratch.append(kSwitching);
            ws::append_server_frame(scratch, ws::Opcode::text, kOpen);
            c.stage = Stage::await_connect;
            if (!write_all(fd, scratch)) return false;
            continue;
        }
        const auto h = ws::parse_client_frame(c.in, kMaxFrame);
        if (h.status == ws::FrameHeader::Status::need_more) return true;
        if (h.status == ws::FrameHeader::Status::error) return false;
        payload = ws::client_payload(c.in, h);
        c.in.erase(0, h.header_size + h.payload_size);
        if (c.stage == Stage::await_connect && payload == "40") {
            ws::append_server_frame(scratch, ws::Opcode::text, kConnected);
            c.stage = Stage::await_join;
            if (!write_all(fd, scratch)) return false;
        } else if (c.stage == Stage::await_join && payload.rfind("42[", 0) == 0) {
            // 42["join-stream-room","G..."]: echo the address back the way the gateway does.
            const auto q1 = payload.find("\",\"");
            const auto q2 = payload.rfind('"');
            const std::string address =
                q1 == std::string::npos || q2 <= q1 + 3 ? "" : payload.substr(q1 + 3, q2 - q1 - 3);
            std::string text = R"(42["joined-room",{"userAddress":")" + address +
                               R"(","roomName":"stream-)" + address + R"("}])";
            ws::append_server_frame(scratch, ws::Opcode::text, text);
            c.stage = Stage::joined;
            if (!write_all(fd, scratch)) return false;
        }
        // Anything else (pongs, later events) is read and ignored.
    }
}

}  // namespace

int run_connect_floor_server(int argc, char** argv) {
    const CliArgs args(argc, argv, 2, {"host", "port"}, {});
    const std::string host = args.str("host", "127.0.0.1");
    const auto port = static_cast<std::uint16_t>(args.number("port", 0, 0, 65535));

    const int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) throw UsageError("bad --host");
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(lfd, SOMAXCONN) != 0) {
        std::cerr << "pulse-bench: cannot listen on " << host << ":" << port << ": "
                  << std::strerror(errno) << "\n";
        return 2;
    }
    socklen_t len = sizeof addr;
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
    std::cout << "listening " << ntohs(addr.sin_port) << std::endl;

    ::signal(SIGTERM, on_signal);
    ::signal(SIGINT, on_signal);
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);

    std::unordered_map<int, Conn> conns;
    std::string scratch, payload;
    char buf[16384];
    epoll_event events[256];
    while (!g_stop) {
        const int n = ::epoll_wait(ep, events, 256, 200);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == lfd) {
                for (;;) {
                    const int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0) break;
                    ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event cev{};
                    cev.events = EPOLLIN | EPOLLRDHUP;
                    cev.data.fd = cfd;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
                    conns[cfd] = Conn{};
                }
                continue;
            }
            auto it = conns.find(fd);
            if (it == conns.end()) continue;
            bool open = true;
            for (;;) {
                const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
                if (got > 0) {
                    it->second.in.append(buf, static_cast<std::size_t>(got));
                    if (static_cast<std::size_t>(got) < sizeof buf) break;
                    continue;
                }
                if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                open = false;  // EOF or error
                break;
            }
            if (open) open = on_bytes(fd, it->second, scratch, payload);
            if (!open) {
                ::close(fd);
                conns.erase(it);
            }
        }
    }
    for (auto& [fd, c] : conns) ::close(fd);
    ::close(ep);
    ::close(lfd);
    return 0;
}

}  // namespace pulse::bench
