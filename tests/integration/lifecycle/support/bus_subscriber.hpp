#pragma once
// A real ZeroMQ SUB socket on the lifecycle's PUB endpoint, subscribed to everything.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace pulse::test {

struct BusMessage {
    std::string topic;
    std::string envelope;
    std::size_t frames = 0;
};

class BusSubscriber {
  public:
    // Connects and waits (bounded) until the TCP connection is up and the subscription had time
    // to reach the publisher, so the next published message is not lost to the slow joiner.
    explicit BusSubscriber(const std::string& endpoint);
    // One SUB connected to several PUB endpoints (every lifecycle instance), as a gateway is.
    explicit BusSubscriber(const std::vector<std::string>& endpoints);
    std::optional<BusMessage> receive(std::chrono::milliseconds timeout);

  private:
    zmq::context_t context_;
    zmq::socket_t socket_;
};

}  // namespace pulse::test
