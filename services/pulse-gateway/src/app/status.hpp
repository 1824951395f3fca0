#pragma once
// Bodies of the gateway's status routes, exactly as the Node server of the original feature
// answered them.
#include <string>

#include "app/presence.hpp"

namespace pulse::app {

// Both answer for the whole deployment by default (every replica the presence link hears from);
// Scope::local (?scope=local) for this replica alone.
// {"status":"ok","message":"StellarStream Backend is running","websocket":true,"connectedUsers":N}
std::string health_json(const Presence& presence, Scope scope = Scope::cluster);
// {"connectedUsers":["G...",...],"userConnections":{"G...":1,...}}
std::string ws_status_json(const Presence& presence, Scope scope = Scope::cluster);

}  // namespace pulse::app
