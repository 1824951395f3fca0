#include "bus/publisher.hpp"

#include "pulse/log.hpp"

namespace pulse::lifecycle::bus {

Publisher::Publisher(const std::string& endpoint, int send_high_water_mark, int send_buffer_bytes)
    : context_(1), socket_(context_, zmq::socket_type::pub) {
    socket_.set(zmq::sockopt::sndhwm, send_high_water_mark);
    if (send_buffer_bytes > 0) socket_.set(zmq::sockopt::sndbuf, send_buffer_bytes);
    // On shutdown give subscribers up to a second to receive what is queued.
    socket_.set(zmq::sockopt::linger, 1000);
    try {
        socket_.bind(endpoint);
    } catch (const zmq::error_t& e) {
        throw BusBindError("cannot bind the bus at " + endpoint + ": " + e.what());
    }
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    healthy_ = true;
}

Publisher::~Publisher() {
    close();
}

bool Publisher::publish(std::string_view event, std::int64_t seq, std::string_view payload) {
    std::lock_guard lock(mutex_);
    if (!socket_) return false;
    try {
        auto first =
            socket_.send(zmq::buffer(event), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        if (!first) {  // not even queued: nothing of this message went out
            ++failed_;
            return false;
        }
        // Once the first frame is queued ZeroMQ guarantees the rest of a multipart goes too.
        socket_.send(zmq::buffer(payload), zmq::send_flags::dontwait);
        ++published_;
        healthy_ = true;
        return true;
    } catch (const zmq::error_t& err) {
        ++failed_;
        healthy_ = false;
        log::warn("bus send failed", {{"seq", seq}, {"error", err.what()}});
        return false;
    }
}

void Publisher::close() {
    std::lock_guard lock(mutex_);
    if (socket_) socket_.close();
    healthy_ = false;
}

}  // namespace pulse::lifecycle::bus
