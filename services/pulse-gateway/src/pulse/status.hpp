#pragma once
// Bodies of the gateway's status routes, exactly as pulse-seed.md shows them.
#include <string>

#include "pulse/presence.hpp"

namespace pulse::app {

// {"status":"ok","message":"StellarStream Backend is running","websocket":true,"connectedUsers":N}
std::string health_json(const Presence& presence);
// {"connectedUsers":["G...",...],"userConnections":{"G...":1,...}}
std::string ws_status_json(const Presence& presence);

}  // namespace pulse::app
