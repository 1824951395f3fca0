#include "bus/subscriber.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <pulse/json_depth.hpp>
#include <pulse/log.hpp>

#include "bus/sequence_tracker.hpp"

namespace pulse::bus {

// Deeper than any legitimate envelope; the event data is later dumped recursively.
constexpr std::size_t kMaxEnvelopeDepth = 64;

struct Subscriber::State {
    zmq::context_t context{1};
    zmq::socket_t socket;
    // ZeroMQ's own connect/disconnect events of `socket`: how many publishers we are linked to.
    zmq::socket_t monitor;
    SequenceTracker tracker;
};

Subscriber::Subscriber(std::vector<std::string> endpoints, Sink sink, const std::string& replay_url,
                       const std::string& replay_token)
    : endpoints_(std::move(endpoints)), sink_(std::move(sink)), state_(std::make_unique<State>()) {
    if (!replay_url.empty()) replay_.emplace(replay_url, replay_token);
}

Subscriber::~Subscriber() {
    stop();
}

void Subscriber::start() {
    auto& s = state_->socket;
    s = zmq::socket_t(state_->context, zmq::socket_type::sub);
    s.set(zmq::sockopt::subscribe, "");
    s.set(zmq::sockopt::linger, 0);
    // Wake up regularly to notice stop(); the thread never blocks longer than this.
    s.set(zmq::sockopt::rcvtimeo, 100);
    // A peer sending something absurd is disconnected by ZeroMQ instead of making us allocate.
    s.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(envelope::kMaxEnvelopeBytes + 4096));
    // Bursts queue here rather than being dropped; a real loss still shows up as a seq gap.
    s.set(zmq::sockopt::rcvhwm, 100000);
    s.set(zmq::sockopt::reconnect_ivl, 100);
    s.set(zmq::sockopt::reconnect_ivl_max, 2000);
    static std::atomic<int> monitors{0};
    const std::string monitor_endpoint = "inproc://pulse-bus-monitor-" + std::to_string(++monitors);
    zmq_socket_monitor(s.handle(), monitor_endpoint.c_str(),
                       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
    state_->monitor = zmq::socket_t(state_->context, zmq::socket_type::pair);
    state_->monitor.connect(monitor_endpoint);
    for (const auto& ep : endpoints_) {
        try {
            s.connect(ep);
        } catch (const zmq::error_t& e) {
            throw std::runtime_error("cannot connect the bus subscriber to " + ep + ": " +
                                     e.what());
        }
    }
    // Creating the thread is a full memory barrier: the socket may move to it (ZeroMQ's rule).
    thread_ = std::thread([this] { run(); });
    log::info("bus subscriber started", {{"endpoints", endpoints_}});
}

void Subscriber::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

void Subscriber::run() {
    std::vector<zmq::message_t> frames;
    std::vector<std::string> copies;
    auto next_monitor_check = std::chrono::steady_clock::now();
    while (!stopping_) {
        frames.clear();
        std::optional<std::size_t> got;
        try {
            got = zmq::recv_multipart(state_->socket, std::back_inserter(frames));
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) return;
            log::warn("bus receive failed", {{"error", e.what()}});
            continue;
        }
        if (const auto now = std::chrono::steady_clock::now(); now >= next_monitor_check) {
            drain_monitor();
            next_monitor_check = now + std::chrono::milliseconds(100);
        }
        if (!got) continue;  // timeout: check stopping_
        copies.clear();
        for (auto& f : frames) copies.emplace_back(f.to_string_view());
        handle_frames(copies);
    }
}

void Subscriber::drain_monitor() {
    std::vector<zmq::message_t> event;
    for (;;) {
        event.clear();
        std::optional<std::size_t> got;
        try {
            got = zmq::recv_multipart(state_->monitor, std::back_inserter(event),
                                      zmq::recv_flags::dontwait);
        } catch (const zmq::error_t&) {
            return;
        }
        if (!got || event.empty() || event[0].size() < sizeof(std::uint16_t)) return;
        std::uint16_t id = 0;
        std::memcpy(&id, event[0].data(), sizeof id);
        if (id == ZMQ_EVENT_CONNECTED) ++stats_.links;
        if (id == ZMQ_EVENT_DISCONNECTED && stats_.links > 0) --stats_.links;
    }
}

void Subscriber::handle_frames(const std::vector<std::string>& frames) {
    ++stats_.received;
    if (frames.size() != 2) {
        ++stats_.malformed;
        log::warn("bus message dropped",
                  {{"error", "expected 2 frames (topic, envelope)"}, {"frames", frames.size()}});
        return;
    }
    // Our own guard before the strict decode: the event data is later dumped recursively, so a
    // publisher must not be able to nest it deep enough to exhaust this thread's stack.
    if (json_nesting_exceeds(frames[1], kMaxEnvelopeDepth)) {
        ++stats_.malformed;
        log::warn("bus message dropped", {{"error", "JSON nested too deeply"}});
        return;
    }
    // Data stays text: the lifecycle's envelopes are read in one pass and data goes to the
    // sockets as it came (envelope::decode_raw).
    auto decoded = envelope::decode_raw(frames[1]);
    if (!decoded) {
        ++stats_.malformed;
        log::warn("bus message dropped",
                  {{"error", decoded.error}, {"topic", frames[0].substr(0, 64)}});
        return;
    }
    const auto& env = *decoded.envelope;
    const auto verdict = state_->tracker.observe(env.epoch, env.seq);
    if (verdict.new_epoch) log::info("bus epoch", {{"epoch", env.epoch}, {"seq", env.seq}});
    if (verdict.missing > 0) {
        ++stats_.gaps;
        stats_.missed += static_cast<std::uint64_t>(verdict.missing);
        log::warn("bus gap", {{"epoch", env.epoch},
                              {"first_missing", env.seq - verdict.missing},
                              {"last_missing", env.seq - 1},
                              {"missing", verdict.missing}});
    }
    if (verdict.missing > 0 && replay_) repair(env.epoch, env.seq - verdict.missing - 1, env.seq);
    if (verdict.late) ++stats_.late;
    if (!verdict.deliver) {
        ++stats_.duplicates;
        log::debug("bus duplicate dropped", {{"epoch", env.epoch}, {"seq", env.seq}});
        return;
    }
    ++stats_.delivered;
    sink_(env);
}

void Subscriber::repair(const std::string& epoch, std::int64_t after, std::int64_t before) {
    // Bounded: at most 10 pages of 1000 per gap; what is still missing then stays counted.
    for (int page_no = 0; page_no < 10 && after + 1 < before; ++page_no) {
        std::string error;
        const auto limit =
            static_cast<std::size_t>(std::min<std::int64_t>(before - after - 1, 1000));
        auto page = replay_->fetch_after(after, limit, error);
        if (!page) {
            ++stats_.repair_failures;
            log::warn("bus gap repair failed", {{"url", replay_->url()}, {"error", error}});
            return;
        }
        if (page->epoch != epoch) {
            ++stats_.repair_failures;
            log::warn("bus gap repair: replay endpoint serves another epoch",
                      {{"url", replay_->url()}, {"expected", epoch}, {"got", page->epoch}});
            return;
        }
        if (page->events.empty()) return;
        for (const auto& env : page->events) {
            after = std::max(after, env.seq);
            if (env.seq >= before) continue;
            // Only what the tracker still counts as missing is delivered: at most once per seq.
            if (!state_->tracker.observe(env.epoch, env.seq).deliver) continue;
            ++stats_.repaired;
            ++stats_.delivered;
            sink_(env);
        }
        if (!page->has_more) return;
    }
}

}  // namespace pulse::bus
