#pragma once
// The one broadcast path of the gateway, at the Socket.IO level (socket.io's adapter broadcast()
// is the model): an event for some rooms of one namespace is encoded once, recorded for
// connection state recovery, and posted once to every shard, where the namespace's RoomIndex
// sends the shared packet to each socket in any of the rooms, once. The caller (the bus, in
// pulse-gateway) hands decoded events and knows nothing of the wire format.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sio/recovery.hpp"
#include "sio/socket.hpp"

namespace pulse::net {
class IoShards;
}

namespace pulse::sio {

class Server;

class Broadcaster {
  public:
    // `nsp` must be a namespace of `server`. With `recovery` (owned by the caller, outliving
    // this), every broadcast is recorded and its packet carries the offset "<epoch>:<seq>" as a
    // last argument, as socket.io does (the client keeps it as its last offset).
    Broadcaster(net::IoShards& shards, Server& server, std::string nsp = "/",
                RecoveryStore* recovery = nullptr);

    // Any thread (the bus thread in practice). `at` is the event's place in its stream, used
    // only when recovery is on. Returns at once; delivery runs on the shards.
    // `data_json` is the event's data as compact JSON text, sent as it is (the bus decoder
    // hands it over undecoded: pulse::envelope::RawEnvelope).
    void broadcast(std::vector<std::string> rooms, std::string_view event,
                   std::string_view data_json, const Offset& at);

    // The Engine.IO text packet broadcast() sends: 42[<"event">,<data>(,<"epoch:seq">)].
    std::shared_ptr<const std::string> encode(std::string_view event, std::string_view data_json,
                                              const Offset& at) const;

    // Runs on each shard's thread after it delivered a broadcast: the sockets it wrote to and the
    // time since broadcast() was called (the metrics' bus -> socket latency). Set before the first
    // broadcast.
    using DeliveredHook = std::function<void(std::size_t shard, std::size_t deliveries,
                                             std::chrono::steady_clock::duration since_broadcast)>;
    void on_delivered(DeliveredHook hook) { delivered_ = std::move(hook); }

  private:
    net::IoShards& shards_;
    Server& server_;
    const std::string nsp_;
    RecoveryStore* const recovery_;
    DeliveredHook delivered_;
};

}  // namespace pulse::sio
