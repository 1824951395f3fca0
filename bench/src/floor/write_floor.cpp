#include "write_floor.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../load/cli_args.hpp"

namespace pulse::bench {
namespace {

std::uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + ts.tv_nsec;
}

std::uint64_t wall_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + ts.tv_nsec;
}

void drain(int fd, std::vector<char>& buf) {
    while (::read(fd, buf.data(), buf.size()) > 0) {
    }
}

}  // namespace

int run_write_floor(int argc, char** argv) {
    const CliArgs args(
        argc, argv, 2,
        {"connections", "rounds", "bytes", "frames-per-write", "reader-cpu", "burst", "pause-us"},
        {"epoll-reader"});
    // --epoll-reader: the receiving ends sit in an epoll set that a thread (on --reader-cpu) is
    // blocked on, as a real client's are. Each write then also pays the wake-up of that reader,
    // which the plain floor (drained afterwards, nobody waiting) does not.
    const bool epoll_reader = args.has("epoll-reader");
    const int reader_cpu = static_cast<int>(args.number("reader-cpu", -1, -1, 1023));
    const auto n = static_cast<std::size_t>(args.number("connections", 2000, 1, 9000));
    const auto rounds = static_cast<int>(args.number("rounds", 20, 1, 100000));
    const auto bytes = static_cast<std::size_t>(args.number("bytes", 150, 1, 65536));
    const auto frames = static_cast<std::size_t>(args.number("frames-per-write", 1, 1, 64));
    // --burst B --pause-us P: B writes back to back, then P microseconds of nothing (off the
    // clock), the way a gateway writes at a modest event rate: hot rooms at 100 events/s are 200
    // writes every 10 ms. Between bursts both cores may go idle, and the next burst pays for
    // waking them (caches, and the reader's wake-up from a halted vCPU).
    const auto burst = static_cast<std::size_t>(args.number("burst", 0, 0, 1e6));
    const auto pause_us = static_cast<long>(args.number("pause-us", 0, 0, 1e6));

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, 4096) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::cerr << "write-floor: cannot listen on 127.0.0.1: " << strerror(errno) << "\n";
        return 2;
    }
    std::vector<int> senders, receivers;
    for (std::size_t i = 0; i < n; ++i) {
        const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0 || ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            std::cerr << "write-floor: connection " << i << " failed: " << strerror(errno)
                      << " (ulimit -n?)\n";
            return 2;
        }
        const int s = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (s < 0) {
            std::cerr << "write-floor: accept failed: " << strerror(errno) << "\n";
            return 2;
        }
        const int one = 1;
        // The sender is the server side, as in a gateway; Nagle off as a gateway would have it.
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
        senders.push_back(s);
        receivers.push_back(c);
    }
    const std::string frame(bytes * frames, 'x');
    std::vector<char> buf(1 << 16);
    std::atomic<bool> reading{true};
    std::atomic<std::uint64_t> bytes_read{0};
    std::thread reader;
    if (epoll_reader) {
        const int ep = epoll_create1(EPOLL_CLOEXEC);
        for (int c : receivers) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = c;
            epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
        reader = std::thread([ep, reader_cpu, &reading, &bytes_read] {
            if (reader_cpu >= 0) {
                cpu_set_t set;
                CPU_ZERO(&set);
                CPU_SET(reader_cpu, &set);
                sched_setaffinity(0, sizeof set, &set);
            }
            std::vector<epoll_event> events(1024);
            std::vector<char> rbuf(1 << 16);
            while (reading.load()) {
                const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 20);
                for (int i = 0; i < n; ++i) {
                    ssize_t got;
                    while ((got = ::read(events[i].data.fd, rbuf.data(), rbuf.size())) > 0) {
                        bytes_read += static_cast<std::uint64_t>(got);
                    }
                }
            }
            ::close(ep);
        });
    }
    std::uint64_t cpu_total = 0, wall_total = 0, writes = 0;
    for (int r = 0; r < rounds; ++r) {
        std::uint64_t c0 = thread_cpu_ns();
        std::uint64_t w0 = wall_ns();
        std::size_t in_burst = 0;
        for (int s : senders) {
            if (::write(s, frame.data(), frame.size()) == static_cast<ssize_t>(frame.size()))
                ++writes;
            if (burst > 0 && ++in_burst == burst) {
                cpu_total += thread_cpu_ns() - c0;
                wall_total += wall_ns() - w0;
                const timespec pause{pause_us / 1'000'000, (pause_us % 1'000'000) * 1000};
                nanosleep(&pause, nullptr);
                in_burst = 0;
                c0 = thread_cpu_ns();
                w0 = wall_ns();
            }
        }
        cpu_total += thread_cpu_ns() - c0;
        wall_total += wall_ns() - w0;
        if (epoll_reader) {
            // Let the reader catch up so every round starts with empty receive queues.
            const std::uint64_t want = static_cast<std::uint64_t>(r + 1) * n * frame.size();
            const std::uint64_t give_up = wall_ns() + 5'000'000'000ULL;
            while (bytes_read.load() < want && wall_ns() < give_up) std::this_thread::yield();
        } else {
            for (int c : receivers) drain(c, buf);
        }
    }
    reading = false;
    if (reader.joinable()) reader.join();
    for (int fd : senders) ::close(fd);
    for (int fd : receivers) ::close(fd);
    ::close(listener);

    const double per_write_us = writes ? cpu_total / 1e3 / writes : 0;
    nlohmann::json out = {
        {"bench", "write-floor"},
        {"connections", n},
        {"rounds", rounds},
        {"bytes_per_frame", bytes},
        {"frames_per_write", frames},
        {"burst", burst},
        {"pause_us", pause_us},
        {"receiver", epoll_reader ? "epoll thread blocked in epoll_wait" : "drained after"},
        {"writes", writes},
        {"cpu_us_per_write", std::round(per_write_us * 1000) / 1000},
        {"cpu_us_per_frame", std::round(per_write_us / frames * 1000) / 1000},
        {"wall_us_per_write", writes ? std::round(wall_total / 1e3 / writes * 1000) / 1000 : 0}};
    std::cout << out.dump() << std::endl;
    return writes == n * static_cast<std::uint64_t>(rounds) ? 0 : 3;
}

}  // namespace pulse::bench
