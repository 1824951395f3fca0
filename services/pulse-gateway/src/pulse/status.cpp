#include "pulse/status.hpp"

#include <nlohmann/json.hpp>

namespace pulse::app {

std::string health_json(const Presence& presence) {
    nlohmann::ordered_json j;
    j["status"] = "ok";
    j["message"] = "StellarStream Backend is running";
    j["websocket"] = true;
    j["connectedUsers"] = presence.user_count();
    return j.dump();
}

std::string ws_status_json(const Presence& presence) {
    const auto connections = presence.connections();  // one consistent snapshot for both fields
    nlohmann::ordered_json users = nlohmann::ordered_json::array();
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    for (const auto& [address, n] : connections) {
        users.push_back(address);
        counts[address] = n;
    }
    nlohmann::ordered_json j;
    j["connectedUsers"] = std::move(users);
    j["userConnections"] = std::move(counts);
    return j.dump();
}

}  // namespace pulse::app
