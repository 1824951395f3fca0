#pragma once
// Injects events straight onto the bus, the way the lifecycle publishes them: a ZeroMQ publisher
// sending [event][envelope JSON] frames. This measures the gateway alone, past what HTTP can
// drive. XPUB rather than PUB so that the bench *sees* the gateway's subscription arrive and
// never loses the first events to ZeroMQ's slow-joiner window.
#include <memory>
#include <string>

#include "event_book.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace pulse::bench {

class BusInjector {
  public:
    explicit BusInjector(std::string bind_endpoint);
    ~BusInjector();
    // Binds; false with a reason (endpoint in use, bad endpoint).
    bool bind(std::string& error);
    // Waits for a subscriber's subscription; false after `timeout_s`.
    bool wait_for_subscriber(double timeout_s, std::string& error);
    void run(const Pacing& pacing, EventBook& book);

  private:
    std::string endpoint_;
    std::string epoch_;
    std::unique_ptr<zmq::context_t> context_;
    std::unique_ptr<zmq::socket_t> socket_;
};

}  // namespace pulse::bench
