#include "support/bus_subscriber.hpp"

#include <zmq_addon.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

namespace pulse::test {

BusSubscriber::BusSubscriber(const std::string& endpoint)
    : BusSubscriber(std::vector<std::string>{endpoint}) {}

BusSubscriber::BusSubscriber(const std::vector<std::string>& endpoints)
    : context_(1), socket_(context_, zmq::socket_type::sub) {
    socket_.set(zmq::sockopt::subscribe, "");
    socket_.set(zmq::sockopt::rcvhwm, 100000);
    socket_.set(zmq::sockopt::linger, 0);
    zmq::monitor_t monitor;
    monitor.init(
        socket_,
        "inproc://pulse-test-sub-monitor-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)),
        ZMQ_EVENT_CONNECTED);
    for (const auto& endpoint : endpoints) socket_.connect(endpoint);
    std::size_t connected = 0;
    for (int i = 0; i < 200 && connected < endpoints.size(); ++i)
        if (monitor.check_event(50)) ++connected;
    if (connected < endpoints.size())
        throw std::runtime_error("SUB could not connect to every endpoint");
    // The subscription travels after the connection; on loopback this is well under 100 ms.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
}

std::optional<BusMessage> BusSubscriber::receive(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return std::nullopt;
    std::vector<zmq::message_t> parts;
    auto n = zmq::recv_multipart(socket_, std::back_inserter(parts));
    if (!n || parts.empty()) return std::nullopt;
    BusMessage m;
    m.frames = parts.size();
    m.topic = parts[0].to_string();
    if (parts.size() > 1) m.envelope = parts[1].to_string();
    return m;
}

}  // namespace pulse::test
