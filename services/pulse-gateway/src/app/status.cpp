#include "app/status.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pulse::app {

std::string health_json(const Presence& presence, Scope scope) {
    nlohmann::ordered_json j;
    j["status"] = "ok";
    j["message"] = "StellarStream Backend is running";
    j["websocket"] = true;
    j["connectedUsers"] = presence.user_count(scope);
    return j.dump();
}

// Written as text in one pass: nlohmann's ordered_json finds a key by scanning every key before
// it, which made "userConnections" quadratic in the number of users.
std::string ws_status_json(const Presence& presence, Scope scope) {
    const auto connections =
        presence.connections(scope);  // one consistent snapshot for both fields
    std::vector<std::string> quoted;
    quoted.reserve(connections.size());
    std::size_t size = 48;
    for (const auto& [address, n] : connections) {
        quoted.push_back(
            nlohmann::json(address).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        size += 2 * quoted.back().size() + 24;
    }
    std::string out;
    out.reserve(size);
    out += R"({"connectedUsers":[)";
    for (std::size_t i = 0; i < quoted.size(); ++i) {
        if (i) out += ',';
        out += quoted[i];
    }
    out += R"(],"userConnections":{)";
    std::size_t i = 0;
    for (const auto& [address, n] : connections) {
        if (i) out += ',';
        out += quoted[i++];
        out += ':';
        out += std::to_string(n);
    }
    out += "}}";
    return out;
}

}  // namespace pulse::app
