#pragma once
// The pulse application on the main namespace (pulse-seed.md, DESIGN.md "Socket events"):
//   join-stream-room <address>  -> joins "stream-<address>", emits joined-room {userAddress,
//   roomName},
//                                  acks {ok:true, roomName}
//   leave-stream-room <address> -> leaves it, emits left-room {userAddress, roomName}, same ack
//   an invalid Stellar address   -> joins nothing, emits room-error {userAddress, error},
//                                  acks {ok:false, error}
// Joining twice is harmless; a disconnect leaves every room and updates the presence registry.
#include "pulse/presence.hpp"

namespace pulse::sio {
class Server;
}

namespace pulse::app {

// Registers the handlers on `server`'s "/" namespace. `presence` must outlive the server.
void install_stream_rooms(sio::Server& server, Presence& presence);

}  // namespace pulse::app
