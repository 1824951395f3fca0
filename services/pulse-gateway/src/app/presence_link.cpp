#include "app/presence_link.hpp"

#include <stdexcept>

#include <zmq.hpp>

#include <pulse/log.hpp>

namespace pulse::app {

struct PresenceLink::Sockets {
    zmq::context_t context{1};
    zmq::socket_t pub{context, zmq::socket_type::pub};
    zmq::socket_t sub{context, zmq::socket_type::sub};
};

PresenceLink::PresenceLink(Presence& presence, PresenceLinkOptions options)
    : presence_(presence), options_(std::move(options)) {}

PresenceLink::~PresenceLink() {
    stop();
}

void PresenceLink::start() {
    sockets_ = std::make_unique<Sockets>();
    auto& s = *sockets_;
    s.pub.set(zmq::sockopt::linger, 200);
    s.sub.set(zmq::sockopt::linger, 0);
    s.sub.set(zmq::sockopt::subscribe, "");
    s.sub.set(zmq::sockopt::reconnect_ivl, 100);
    s.sub.set(zmq::sockopt::reconnect_ivl_max, 1000);
    try {
        s.pub.bind(options_.bind);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("PULSE_PRESENCE_BIND: cannot bind " + options_.bind + ": " +
                                 e.what());
    }
    endpoint_ = s.pub.get(zmq::sockopt::last_endpoint);
    for (const auto& peer : options_.peers) {
        try {
            s.sub.connect(peer);
        } catch (const zmq::error_t& e) {
            throw std::runtime_error("PULSE_PRESENCE_PEERS: cannot connect " + peer + ": " +
                                     e.what());
        }
    }
    presence_.set_linked(true);
    thread_ = std::thread([this] { run(); });
    log::info("presence link started",
              {{"endpoint", endpoint_}, {"peers", options_.peers}, {"node", presence_.node_id()}});
}

void PresenceLink::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    thread_.join();
}

void PresenceLink::run() {
    auto& s = *sockets_;
    using Clock = std::chrono::steady_clock;
    auto send = [&](const std::string& text) {
        s.pub.send(zmq::buffer(text), zmq::send_flags::dontwait);
    };
    auto next_heartbeat = Clock::now();
    auto next_snapshot = Clock::now();
    while (!stopping_) {
        zmq::pollitem_t item{s.sub.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(50));
        zmq::message_t message;
        while (s.sub.recv(message, zmq::recv_flags::dontwait))
            if (!presence_.apply(message.to_string_view()))
                log::warn("presence link: malformed message dropped");
        for (const auto& delta : presence_.take_outgoing()) send(delta);
        const auto now = Clock::now();
        if (now >= next_snapshot) {
            send(presence_.snapshot_message());
            next_snapshot = now + options_.snapshot;
            next_heartbeat = now + options_.heartbeat;
        } else if (now >= next_heartbeat) {
            send(presence_.heartbeat_message());
            next_heartbeat = now + options_.heartbeat;
        }
        presence_.expire(now);
    }
    // What is still queued (the drain's last disconnects), then goodbye.
    for (const auto& delta : presence_.take_outgoing()) send(delta);
    send(presence_.goodbye_message());
}

}  // namespace pulse::app
