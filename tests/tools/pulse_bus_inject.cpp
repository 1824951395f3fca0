// pulse-bus-inject: a tiny ZeroMQ publisher for tests. Binds a PUB socket (argv[1], default
// tcp://127.0.0.1:* so the kernel picks a free port), prints {"endpoint":"..."} on stdout, then
// publishes every stdin line as one bus message [topic][line], where the topic is the line's
// "event" field (or "malformed" when the line is not an envelope - tests send those on purpose).
// After each message it prints {"sent":N}, so a test can wait for it. Exits 0 at end of input.
#include <cstring>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <pulse/config_table.hpp>

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--help") == 0) {
        std::cout << "usage: pulse-bus-inject [ENDPOINT]   (default tcp://127.0.0.1:*)\n"
                     "Publishes every stdin line as one bus message; see the source's header.\n";
        return 0;
    }
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "pulse-bus-inject " << pulse::config::version() << "\n";
        return 0;
    }
    const std::string bind_to = argc > 1 ? argv[1] : "tcp://127.0.0.1:*";
    try {
        zmq::context_t context{1};
        zmq::socket_t pub{context, zmq::socket_type::pub};
        pub.set(zmq::sockopt::linger, 1000);  // let queued messages out before exiting
        pub.bind(bind_to);
        std::cout << nlohmann::json{{"endpoint", pub.get(zmq::sockopt::last_endpoint)}}.dump()
                  << std::endl;
        std::string line;
        std::size_t sent = 0;
        while (std::getline(std::cin, line)) {
            if (line.empty()) continue;
            std::string topic = "malformed";
            const auto parsed = nlohmann::json::parse(line, nullptr, false);
            if (parsed.is_object() && parsed.contains("event") && parsed["event"].is_string())
                topic = parsed["event"].get<std::string>();
            std::array<zmq::const_buffer, 2> frames{zmq::buffer(topic), zmq::buffer(line)};
            zmq::send_multipart(pub, frames);
            std::cout << nlohmann::json{{"sent", ++sent}}.dump() << std::endl;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "pulse-bus-inject: cannot publish on " << bind_to << ": " << e.what() << "\n";
        return 1;
    }
}
