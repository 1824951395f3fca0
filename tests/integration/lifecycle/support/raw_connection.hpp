#pragma once
// A plain TCP client for tests that need the raw bytes of an answer (the exact head) or control
// of the socket (a small receive buffer, reading late). One connection, any number of requests.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace pulse::test {

class RawConnection {
  public:
    RawConnection(std::uint16_t port, int receive_buffer) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        REQUIRE(fd_ >= 0);
        REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) ==
                0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        timeval timeout{20, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~RawConnection() { ::close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(bytes.size()));
    }

    // One response: its head and a body of Content-Length bytes, read 1 KB at a time.
    std::pair<std::string, std::string> response() {
        std::string head;
        while (head.find("\r\n\r\n") == std::string::npos) head += chunk();
        const auto end = head.find("\r\n\r\n") + 4;
        std::string body = head.substr(end);
        head.resize(end);
        const auto at = head.find("Content-Length: ");
        REQUIRE(at != std::string::npos);
        const auto length = std::stoull(head.substr(at + 16));
        while (body.size() < length) body += chunk();
        CHECK(body.size() == length);
        return {head, body};
    }

  private:
    std::string chunk() {
        char buf[1024];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        REQUIRE(n > 0);  // neither closed nor timed out mid-answer
        return std::string(buf, static_cast<std::size_t>(n));
    }
    int fd_;
};

}  // namespace pulse::test
