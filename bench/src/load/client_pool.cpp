#include "client_pool.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "../core/sio_message.hpp"
#include "../core/stream_tag.hpp"
#include "../core/ws_frame.hpp"

namespace pulse::bench {

std::uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

namespace {

constexpr std::size_t kReadChunk = 256 * 1024;
constexpr std::size_t kMaxFrame = 1 << 20;
// Enough samples for every delivery of a long max-rate run; past it latencies are not recorded
// (the JSON says how many were) rather than growing without bound.
constexpr std::size_t kMaxLatencySamples = 40'000'000;

enum class State : std::uint8_t {
    idle,
    connecting,
    await_upgrade,
    await_open,
    await_connect,
    await_joined,
    joined,
    closed,
};

struct Conn {
    int fd = -1;
    State state = State::idle;
    std::uint32_t id = 0;
    std::uint32_t room = 0;
    bool want_write = false;
    std::string in;        // bytes of an incomplete frame (or HTTP head) carried to the next read
    std::string out;       // bytes the kernel did not take yet
    std::string fragment;  // a fragmented text message being reassembled
    std::vector<std::uint64_t> seen;  // bit per ordinal of this room's events: duplicate check
};

}  // namespace

struct ClientPool::Worker {
    const PoolConfig* config = nullptr;
    std::atomic<std::uint32_t>* room_members = nullptr;
    int epoll_fd = -1;
    std::vector<Conn> conns;
    std::size_t next_to_open = 0;
    unsigned in_flight = 0;
    unsigned in_flight_cap = 1;
    std::string upgrade;
    std::string scratch;
    std::vector<char> read_buffer = std::vector<char>(kReadChunk);

    const std::atomic<bool>* recording = nullptr;

    // Written only by this worker, read by the injector and the orchestrator: single-writer
    // counters, so a plain relaxed load+store (no locked instruction) is enough.
    alignas(64) std::atomic<std::uint64_t> joined{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> deliveries{0};
    std::atomic<std::uint64_t> unique{0};
    std::atomic<std::uint64_t> duplicated{0};
    std::atomic<std::uint64_t> misrouted{0};
    std::atomic<std::uint64_t> corrupt{0};
    std::atomic<std::uint64_t> last_join_ns{0};

    static void bump(std::atomic<std::uint64_t>& counter) {
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    PoolTotals t;  // touched only by this worker's thread until stop()

    void fail(Conn& c, const char* why) {
        if (t.first_error.empty()) t.first_error = why;
        close_conn(c);
    }

    void close_conn(Conn& c) {
        if (c.state == State::closed || c.state == State::idle) return;
        if (c.state == State::joined) {
            ++t.disconnected_after_join;
            room_members[c.room].fetch_sub(1, std::memory_order_relaxed);
        } else {
            failed.fetch_add(1, std::memory_order_relaxed);
            --in_flight;
        }
        ::close(c.fd);
        c.fd = -1;
        c.state = State::closed;
        std::string().swap(c.in);
        std::string().swap(c.out);
    }

    void set_events(Conn& c, bool want_write) {
        if (c.want_write == want_write) return;
        c.want_write = want_write;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
        ev.data.ptr = &c;
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
    }

    void flush(Conn& c) {
        while (!c.out.empty()) {
            const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n > 0) {
                c.out.erase(0, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                set_events(c, true);
                return;
            }
            if (n < 0 && errno == EINTR) continue;
            fail(c, "send failed");
            return;
        }
        set_events(c, false);
    }

    void send_text(Conn& c, std::string_view text) {
        // The mask only has to be present, not secret, for a load client.
        const std::array<std::uint8_t, 4> mask{static_cast<std::uint8_t>(c.id), 0x5a, 0x3c,
                                               static_cast<std::uint8_t>(c.id >> 8)};
        ws::append_client_frame(c.out, ws::Opcode::text, text, mask);
        flush(c);
    }

    void open_next() {
        Conn& c = conns[next_to_open++];
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            failed.fetch_add(1, std::memory_order_relaxed);
            if (t.first_error.empty()) t.first_error = std::string("socket(): ") + strerror(errno);
            c.state = State::closed;
            return;
        }
        const int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        // Several source addresses so that one 127.0.0.1 -> server pair never runs out of ports;
        // the port itself is picked at connect() time (IP_BIND_ADDRESS_NO_PORT).
        setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in src{};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl(0x7F000001u + c.id % config->source_addresses);
        ::bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
        sockaddr_in dst{};
        dst.sin_family = AF_INET;
        dst.sin_port = htons(config->port);
        inet_pton(AF_INET, config->host.c_str(), &dst.sin_addr);
        ++in_flight;
        c.state = State::connecting;
        const int rc = ::connect(c.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
        if (rc < 0 && errno != EINPROGRESS) {
            c.state = State::await_upgrade;  // so that close_conn counts it as a failed handshake
            fail(c, "connect() failed");
            return;
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        ev.data.ptr = &c;
        c.want_write = true;
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c.fd, &ev);
    }

    void open_more() {
        while (in_flight < in_flight_cap && next_to_open < conns.size()) open_next();
    }

    void on_writable(Conn& c) {
        if (c.state == State::connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                if (t.first_error.empty()) t.first_error = std::string("connect: ") + strerror(err);
                close_conn(c);
                return;
            }
            c.state = State::await_upgrade;
            c.out += upgrade;
        }
        flush(c);
    }

    void on_delivery(Conn& c, std::string_view rest) {
        const std::uint64_t now = monotonic_ns();
        bump(deliveries);
        t.last_delivery_ns = now;
        auto tag = parse_stream_tag(string_field(rest, "streamId"));
        if (!tag) {
            bump(corrupt);
            return;
        }
        if (recording->load(std::memory_order_relaxed) &&
            t.latency_ns.size() < kMaxLatencySamples) {
            t.latency_ns.push_back(now > tag->send_ns ? now - tag->send_ns : 0);
        }
        std::uint32_t ordinal;
        if (c.room == tag->room_a) {
            ordinal = tag->ordinal_a;
        } else if (c.room == tag->room_b) {
            ordinal = tag->ordinal_b;
        } else {
            bump(misrouted);
            return;
        }
        const auto& rooms = config->room_addresses;
        if (tag->room_a >= rooms.size() || tag->room_b >= rooms.size() ||
            string_field(rest, "sender") != rooms[tag->room_a] ||
            string_field(rest, "receiver") != rooms[tag->room_b]) {
            bump(corrupt);
            return;
        }
        const std::size_t word = ordinal / 64;
        if (c.seen.size() <= word) c.seen.resize(word + 1 + word / 2, 0);
        const std::uint64_t bit = 1ULL << (ordinal % 64);
        if (c.seen[word] & bit) {
            bump(duplicated);
        } else {
            c.seen[word] |= bit;
            bump(unique);
        }
    }

    void on_message(Conn& c, std::string_view text) {
        const SioMessage m = classify_message(text);
        switch (m.kind) {
            case SioKind::eio_ping:
                ++t.pings_answered;
                send_text(c, "3");
                return;
            case SioKind::eio_open:
                if (c.state == State::await_open) {
                    c.state = State::await_connect;
                    send_text(c, "40");
                }
                return;
            case SioKind::sio_connect:
                if (c.state == State::await_connect) {
                    c.state = State::await_joined;
                    scratch = "42[\"join-stream-room\",\"";
                    scratch += config->room_addresses[c.room];
                    scratch += "\"]";
                    send_text(c, scratch);
                }
                return;
            case SioKind::sio_event:
                if (m.event == "new-stream" || m.event == "balance-update") {
                    on_delivery(c, m.rest);
                } else if (m.event == "joined-room" && c.state == State::await_joined) {
                    c.state = State::joined;
                    --in_flight;
                    room_members[c.room].fetch_add(1, std::memory_order_relaxed);
                    joined.fetch_add(1, std::memory_order_relaxed);
                    last_join_ns.store(monotonic_ns(), std::memory_order_relaxed);
                } else if (m.event == "room-error") {
                    ++t.join_errors;
                    fail(c, "room-error answer to join-stream-room");
                }
                return;
            case SioKind::sio_connect_error:
                fail(c, "Socket.IO CONNECT_ERROR");
                return;
            case SioKind::eio_close:
            case SioKind::sio_disconnect:
                close_conn(c);
                return;
            case SioKind::malformed:
                fail(c, "malformed Engine.IO/Socket.IO packet");
                return;
            default:
                return;
        }
    }

    // Consumes complete frames from `data`; returns how many bytes were used.
    std::size_t on_frames(Conn& c, std::string_view data) {
        std::size_t used = 0;
        while (c.state != State::closed) {
            const auto h = ws::parse_server_frame(data.substr(used), kMaxFrame);
            if (h.status == ws::FrameHeader::Status::need_more) break;
            if (h.status == ws::FrameHeader::Status::error) {
                fail(c, h.error);
                break;
            }
            const std::string_view payload = data.substr(used + h.header_size, h.payload_size);
            used += h.header_size + h.payload_size;
            switch (h.opcode) {
                case ws::Opcode::text:
                    if (h.fin) {
                        on_message(c, payload);
                    } else {
                        c.fragment.assign(payload);
                    }
                    break;
                case ws::Opcode::continuation:
                    c.fragment.append(payload);
                    if (h.fin) {
                        std::string whole;
                        whole.swap(c.fragment);
                        on_message(c, whole);
                    }
                    break;
                case ws::Opcode::ping: {
                    const std::array<std::uint8_t, 4> mask{1, 2, 3, 4};
                    ws::append_client_frame(c.out, ws::Opcode::pong, payload, mask);
                    flush(c);
                    break;
                }
                case ws::Opcode::close:
                    close_conn(c);
                    break;
                default:
                    break;
            }
        }
        return used;
    }

    std::size_t on_bytes(Conn& c, std::string_view data) {
        if (c.state != State::await_upgrade) return on_frames(c, data);
        bool switched = false;
        const std::size_t head = ws::response_head_size(data, switched);
        if (head == 0) {
            if (data.size() > 8192) fail(c, "upgrade response head too large");
            return 0;
        }
        if (!switched) {
            fail(c, "WebSocket upgrade refused (no 101)");
            return data.size();
        }
        c.state = State::await_open;
        return head + on_frames(c, data.substr(head));
    }

    void on_readable(Conn& c) {
        while (c.state != State::closed) {
            const ssize_t n = ::read(c.fd, read_buffer.data(), read_buffer.size());
            if (n > 0) {
                const std::string_view chunk(read_buffer.data(), static_cast<std::size_t>(n));
                if (c.in.empty()) {
                    const std::size_t used = on_bytes(c, chunk);
                    if (c.state != State::closed && used < chunk.size()) {
                        c.in.assign(chunk.substr(used));
                    }
                } else {
                    c.in.append(chunk);
                    const std::size_t used = on_bytes(c, c.in);
                    if (c.state != State::closed) c.in.erase(0, used);
                }
                if (static_cast<std::size_t>(n) < read_buffer.size()) return;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n < 0 && errno == EINTR) continue;
            close_conn(c);  // EOF or reset
            return;
        }
    }

    void run(const std::atomic<bool>& stopping) {
        std::vector<epoll_event> events(1024);
        open_more();
        while (!stopping.load(std::memory_order_relaxed)) {
            const int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 20);
            for (int i = 0; i < n; ++i) {
                Conn& c = *static_cast<Conn*>(events[i].data.ptr);
                if (c.state == State::closed) continue;
                if (events[i].events & EPOLLOUT) on_writable(c);
                if (c.state == State::closed) continue;
                if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
                    on_readable(c);
                }
            }
            open_more();
        }
        for (auto& c : conns) {
            if (c.fd >= 0) ::close(c.fd);
            c.fd = -1;
        }
    }
};

ClientPool::ClientPool(PoolConfig config)
    : config_(std::move(config)), room_members_(new std::atomic<std::uint32_t>[config_.rooms]) {
    for (std::uint32_t r = 0; r < config_.rooms; ++r) room_members_[r] = 0;
    const unsigned threads = config_.threads ? config_.threads : 1;
    std::string host_port = config_.host + ":" + std::to_string(config_.port);
    for (unsigned w = 0; w < threads; ++w) {
        auto worker = std::make_unique<Worker>();
        worker->config = &config_;
        worker->room_members = room_members_.get();
        worker->recording = &recording_;
        worker->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        worker->upgrade = ws::upgrade_request(host_port, config_.path);
        worker->in_flight_cap = std::max(1u, config_.handshakes_in_flight / threads);
        for (std::uint32_t i = w; i < config_.connections; i += threads) {
            Conn c;
            c.id = i;
            c.room = i % config_.rooms;
            worker->conns.push_back(std::move(c));
        }
        workers_.push_back(std::move(worker));
    }
}

ClientPool::~ClientPool() {
    if (!threads_.empty()) stop();
    for (auto& w : workers_) ::close(w->epoll_fd);
}

void ClientPool::start() {
    for (auto& w : workers_) {
        Worker* worker = w.get();
        threads_.emplace_back([worker, this] { worker->run(stopping_); });
    }
}

std::uint64_t ClientPool::joined() const {
    std::uint64_t sum = 0;
    for (auto& w : workers_) sum += w->joined.load(std::memory_order_relaxed);
    return sum;
}

std::uint64_t ClientPool::failed() const {
    std::uint64_t sum = 0;
    for (auto& w : workers_) sum += w->failed.load(std::memory_order_relaxed);
    return sum;
}

std::uint64_t ClientPool::deliveries() const {
    std::uint64_t sum = 0;
    for (auto& w : workers_) sum += w->deliveries.load(std::memory_order_relaxed);
    return sum;
}

DeliveryCounts ClientPool::counts() const {
    DeliveryCounts c;
    for (auto& w : workers_) {
        c.deliveries += w->deliveries.load(std::memory_order_relaxed);
        c.unique += w->unique.load(std::memory_order_relaxed);
        c.duplicated += w->duplicated.load(std::memory_order_relaxed);
        c.misrouted += w->misrouted.load(std::memory_order_relaxed);
        c.corrupt += w->corrupt.load(std::memory_order_relaxed);
    }
    return c;
}

std::uint64_t ClientPool::last_join_ns() const {
    std::uint64_t last = 0;
    for (auto& w : workers_) last = std::max(last, w->last_join_ns.load(std::memory_order_relaxed));
    return last;
}

std::vector<std::uint32_t> ClientPool::room_sizes() const {
    std::vector<std::uint32_t> sizes(config_.rooms);
    for (std::uint32_t r = 0; r < config_.rooms; ++r) {
        sizes[r] = room_members_[r].load(std::memory_order_relaxed);
    }
    return sizes;
}

PoolTotals ClientPool::stop() {
    stopping_ = true;
    for (auto& th : threads_) th.join();
    threads_.clear();
    PoolTotals total;
    for (auto& w : workers_) {
        PoolTotals& t = w->t;
        total.joined += w->joined.load();
        total.failed += w->failed.load();
        total.disconnected_after_join += t.disconnected_after_join;
        total.join_errors += t.join_errors;
        total.deliveries += w->deliveries.load();
        total.unique += w->unique.load();
        total.duplicated += w->duplicated.load();
        total.misrouted += w->misrouted.load();
        total.corrupt += w->corrupt.load();
        total.pings_answered += t.pings_answered;
        total.last_delivery_ns = std::max(total.last_delivery_ns, t.last_delivery_ns);
        if (total.first_error.empty()) total.first_error = t.first_error;
        total.latency_ns.insert(total.latency_ns.end(), t.latency_ns.begin(), t.latency_ns.end());
        std::vector<std::uint64_t>().swap(t.latency_ns);
    }
    return total;
}

}  // namespace pulse::bench
