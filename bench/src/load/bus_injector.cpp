#include "bus_injector.hpp"

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <pulse/clock.hpp>
#include <zmq.hpp>

#include "client_pool.hpp"

namespace pulse::bench {

BusInjector::BusInjector(std::string bind_endpoint)
    : endpoint_(std::move(bind_endpoint)),
      epoch_("bench-" + std::to_string(getpid()) + "-" + std::to_string(monotonic_ns())) {}

BusInjector::~BusInjector() = default;

bool BusInjector::bind(std::string& error) {
    try {
        context_ = std::make_unique<zmq::context_t>(1);
        socket_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::xpub);
        // Unbounded on our side: if anything drops, it must be the gateway, and the bench says so.
        socket_->set(zmq::sockopt::sndhwm, 0);
        socket_->set(zmq::sockopt::linger, 2000);
        socket_->bind(endpoint_);
        return true;
    } catch (const zmq::error_t& e) {
        error = "bus injector cannot bind " + endpoint_ + ": " + e.what();
        return false;
    }
}

bool BusInjector::wait_for_subscriber(double timeout_s, std::string& error) {
    socket_->set(zmq::sockopt::rcvtimeo, 100);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
        zmq::message_t msg;
        if (socket_->recv(msg, zmq::recv_flags::none) && msg.size() >= 1 &&
            static_cast<const unsigned char*>(msg.data())[0] == 1) {
            return true;
        }
    }
    error = "no subscriber connected to " + endpoint_ + " (is the gateway's PULSE_BUS_CONNECT it?)";
    return false;
}

void BusInjector::run(const Pacing& pacing, EventBook& book) {
    const std::uint64_t start = monotonic_ns();
    const auto end = start + static_cast<std::uint64_t>(pacing.duration_s * 1e9);
    if (!pacing.max_rate) {
        book.offered = static_cast<std::uint64_t>(std::floor(pacing.duration_s * pacing.rate));
        if (pacing.max_events) book.offered = std::min(book.offered, pacing.max_events);
    }
    const zmq::const_buffer topic = zmq::str_buffer("new-stream");
    std::string envelope;
    for (std::uint64_t k = 0;; ++k) {
        if (pacing.max_rate) {
            if (pacing.max_events && k >= pacing.max_events) break;
            while (outstanding(book, pacing) >= pacing.window_deliveries) {
                if (monotonic_ns() >= end) break;
                timespec pause{0, 20'000};
                nanosleep(&pause, nullptr);
            }
            if (monotonic_ns() >= end) break;
        } else {
            if (k >= book.offered) break;
            const std::uint64_t due = start + static_cast<std::uint64_t>(1e9 / pacing.rate * k);
            timespec at{static_cast<time_t>(due / 1'000'000'000ULL),
                        static_cast<long>(due % 1'000'000'000ULL)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
        }
        const std::uint64_t now = monotonic_ns();
        const StreamTag tag = book.make_event(k, now);
        envelope.clear();
        envelope += "{\"v\":1,\"epoch\":\"";
        envelope += epoch_;
        envelope += "\",\"seq\":";
        envelope += std::to_string(tag.seq + 1);
        envelope += ",\"event\":\"new-stream\",\"rooms\":[\"stream-";
        envelope += book.addresses[tag.room_a];
        envelope += "\",\"stream-";
        envelope += book.addresses[tag.room_b];
        envelope += "\"],\"data\":";
        std::string data = stream_request_body(book, tag);
        data.pop_back();  // reopen the object to add what the lifecycle would add
        data += ",\"status\":\"ACTIVE\",\"timestamp\":\"";
        data += pulse::now_iso8601();
        data += "\"}";
        envelope += data;
        envelope += "}";
        socket_->send(topic, zmq::send_flags::sndmore);
        socket_->send(zmq::buffer(envelope), zmq::send_flags::none);
        book.on_sent(tag, now);
        book.on_accepted(tag);
    }
}

}  // namespace pulse::bench
