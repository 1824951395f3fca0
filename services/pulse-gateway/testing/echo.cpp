#include "testing/echo.hpp"

namespace pulse::testing {

using engine::FunctionListener;
using engine::Socket;

engine::Server::ConnectionHandler echo_handler() {
    return [](std::shared_ptr<Socket> socket) {
        // Capture a weak reference: the socket owns this handler, a strong one would be a cycle.
        std::weak_ptr<Socket> weak = socket;
        auto listener = std::make_shared<FunctionListener>();
        listener->message = [weak](std::string_view data, bool binary) {
            auto s = weak.lock();
            if (!s) return;
            if (binary) {
                s->send_binary(std::make_shared<const std::string>(data));
            } else {
                std::string packet;
                packet.reserve(data.size() + 1);
                packet.push_back('4');
                packet += data;
                s->send_text_packet(std::make_shared<const std::string>(std::move(packet)));
            }
        };
        socket->listener = std::move(listener);
    };
}

}  // namespace pulse::testing
