#pragma once
// The pulse application on the main namespace (docs/protocol.md, "Socket events"):
//   join-stream-room <address>  -> joins "stream-<address>", emits joined-room {userAddress,
//   roomName},
//                                  acks {ok:true, roomName}
//   leave-stream-room <address> -> leaves it, emits left-room {userAddress, roomName}, same ack
//   an invalid Stellar address   -> joins nothing, emits room-error {userAddress, error},
//                                  acks {ok:false, error}
// Joining twice is harmless; a disconnect leaves every room and updates the presence registry.
// Limits (StreamRoomPolicy): at most `max_joins_per_second` join/leave requests per socket and
// second, valid or not (else error "rate-limited"); with auth on, only the token's own address
// (else "forbidden"); at most `max_rooms` stream rooms per socket (else "too many rooms").
// room-error echoes at most kEchoLimit characters of what the client sent.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include <pulse/prometheus.hpp>

#include "app/presence.hpp"

namespace pulse::sio {
class RecoveryCredential;
class RecoveryStore;
class Server;
}  // namespace pulse::sio

namespace pulse::app {

class Authenticator;

inline constexpr std::size_t kEchoLimit = 64;

struct StreamRoomStats {
    std::atomic<std::uint64_t> forbidden{0};          // joins of another account's room (auth on)
    std::atomic<std::uint64_t> too_many_rooms{0};     // joins past max_rooms
    std::atomic<std::uint64_t> flood_closes{0};       // clients closed past PULSE_MAX_PACKETS_PER_S
    std::atomic<std::uint64_t> join_rate_limited{0};  // joins/leaves past max_joins_per_second
    // The gateway-wide total of refused tokens this also counts in (set before serving).
    prom::Counter* auth_failures = nullptr;
};

struct StreamRoomPolicy {
    Authenticator* auth = nullptr;           // set: PULSE_AUTH=jwt, own room only
    std::size_t max_rooms = 16;              // PULSE_MAX_ROOMS_PER_SOCKET
    std::uint32_t max_joins_per_second = 0;  // PULSE_MAX_JOINS_PER_S; 0: no limit
    StreamRoomStats* stats = nullptr;
};

// Registers the handlers on `server`'s "/" namespace. `presence`, the authenticator and the
// stats must outlive the server.
void install_stream_rooms(sio::Server& server, Presence& presence, StreamRoomPolicy policy = {});

// Connection state recovery from the presence registry: the join offsets of this replica's
// sockets (a client that resumes without an offset missed what its rooms got since), and with a
// `credential`, the rooms and join offsets a peer reported for its sockets (claimed once), so
// that their clients resume here. `presence` outlives `store`.
void connect_recovery(sio::RecoveryStore& store, Presence& presence,
                      const sio::RecoveryCredential* credential);

}  // namespace pulse::app
