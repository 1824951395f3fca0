#pragma once
// One Socket.IO socket: a client's connection to one namespace (socket.io's `Socket`). It lives on
// its client's shard and is touched only by that shard's thread. Rooms are held by the namespace's
// per-shard adapter::RoomIndex; this class is also that index's Member, so a broadcast ends in
// deliver() with bytes that were encoded once for everybody.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapter/room_index.hpp"
#include "parser/packet.hpp"
#include "sio/rate_window.hpp"

namespace pulse::engine {
struct HandshakeRequest;
}

namespace pulse::sio {

using Json = parser::Json;
class Client;
class Socket;

// Handed to an event handler when the peer asked for an acknowledgement. Calling it sends the ACK
// (with `args`, a JSON array) once; later calls, or calls after a disconnect, do nothing.
using Ack = std::function<void(Json args)>;
// `args`: the event's arguments without its name (a JSON array). `ack` is empty when the peer did
// not ask for one.
using EventHandler = std::function<void(Socket& socket, const Json& args, const Ack& ack)>;
using DisconnectHandler = std::function<void(Socket& socket, std::string_view reason)>;
using AckHandler = std::function<void(const Json& args)>;

// A CONNECT refused by a middleware: sent as CONNECT_ERROR {"message": message, "data": data}
// (socket.io's `next(err)` with `err.data`).
struct ConnectRefusal {
    std::string message;
    Json data;
};
// Runs on a CONNECT to its namespace before the socket exists (socket.io's namespace middleware,
// `io.use`). Returns a refusal, or nothing to let the CONNECT through; may rewrite `auth`, which
// is what Socket::auth() then holds (e.g. drop a token once verified, keep what it proved).
using ConnectMiddleware = std::function<std::optional<ConnectRefusal>(
    Json& auth, const engine::HandshakeRequest& handshake)>;

// Handlers registered once for every socket of a namespace (Server::on, on_disconnecting,
// on_disconnect), shared by all of them instead of being stored again in each socket. Owned by
// the server's namespace table; read-only once serving.
struct NamespaceHandlers {
    std::string name;
    std::vector<std::pair<std::string, EventHandler>> events;
    std::vector<DisconnectHandler> disconnecting;  // the socket is still in its rooms
    std::vector<DisconnectHandler> disconnect;     // after it left them
    std::vector<ConnectMiddleware> middleware;     // in registration order, before the socket
};

class Socket : public adapter::Member, public std::enable_shared_from_this<Socket> {
  public:
    // `nsp` is the server's table entry for the namespace (Server::namespace_handlers): it
    // outlives every socket, so sockets only point at it.
    Socket(Client& client, std::string id, const NamespaceHandlers& nsp, Json auth,
           adapter::RoomIndex& rooms);
    ~Socket() override;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    const std::string& id() const { return id_; }
    const std::string& nsp() const { return nsp_->name; }
    // The CONNECT packet's payload (`auth` of the client), `{}` when it sent none.
    const Json& auth() const;
    const engine::HandshakeRequest& handshake() const;
    std::size_t shard() const;  // the I/O shard whose thread owns this socket
    bool connected() const { return connected_; }
    // Connection state recovery: the private session id (empty when recovery is off), and whether
    // this socket resumed an earlier one (same id, same rooms; missed broadcasts re-sent).
    const std::string& pid() const;
    bool recovered() const { return occasional_ && occasional_->recovered; }
    // `resumed_from`: per room of a resumed socket, where its replay started (room, offset).
    void set_recovery(std::string pid, bool recovered,
                      std::vector<std::pair<std::string, std::string>> resumed_from = {});
    // The offset ("epoch:seq") broadcasts have been delivered up to on this socket's shard: a
    // room joined now receives the events after it. Empty when recovery is off or nothing was
    // broadcast yet.
    std::string delivered_offset() const;
    // What this socket is known to have of `room`: where a resume's replay of it started (the
    // replay may never have reached the client), else delivered_offset(). Empty: unknown.
    std::string join_offset(std::string_view room) const;

    // This socket's own handlers. A handler for an event replaces the socket's earlier one, and
    // takes precedence over a namespace-wide handler (Server::on) for the same event. Prefer the
    // namespace-wide ones for handlers that are the same for every socket: they cost nothing
    // per socket.
    void on(std::string event, EventHandler handler);
    void on_disconnect(DisconnectHandler handler);

    // Sends `[event, ...args]`; `args` must be a JSON array. Binary values go as attachments.
    void emit(std::string_view event, Json args = Json::array());
    // Same, and `on_ack` runs when the peer acknowledges (never, if it disconnects first).
    void emit_with_ack(std::string_view event, Json args, AckHandler on_ack);
    // Sends `[event, <data_json>]` where `data_json` is one value already written as compact JSON
    // text: the broadcast fast path (parser::encode_event_text) for a single socket, without
    // building and serializing a JSON tree. The caller vouches that the text is valid JSON.
    void emit_json_text(std::string_view event, std::string_view data_json);

    // A one-second request counter the application may use for a per-socket limit (the
    // join/leave rate): kept in the socket's padding rather than in a table of the application's.
    RateWindow& request_rate() { return request_rate_; }

    bool join(std::string_view room);
    bool leave(std::string_view room);
    std::vector<std::string> rooms() const;
    bool in_room(std::string_view room) const;  // without copying the room list

    // Server-side disconnect: sends DISCONNECT for this namespace; `close_connection` also closes
    // the underlying Engine.IO session (and so every other namespace on it).
    void disconnect(bool close_connection = false);

    // adapter::Member: a pre-encoded Engine.IO packet from a broadcast.
    void deliver(const std::shared_ptr<const std::string>& packet) override;

    // --- used by Client ---
    void handle_event(const Json& data, std::optional<std::uint64_t> ack_id);
    void handle_ack(std::uint64_t id, const Json& args);
    // Ends the socket: runs the namespace's disconnecting handlers (rooms still joined), leaves
    // every room, then runs its own and the namespace's disconnect handlers, once.
    void finish(std::string_view reason);

  private:
    void send_ack(std::uint64_t id, Json args);

    Client* client_;  // outlives the socket: the client owns it and finishes it before dying
    std::string id_;
    const NamespaceHandlers* nsp_;
    Json auth_;
    adapter::RoomIndex& rooms_;
    bool connected_ = true;
    RateWindow request_rate_;  // beside connected_: no extra word per socket
    // Flat tables rather than hash maps: a socket has a handful of handlers and rarely a pending
    // ack, and with tens of thousands of idle sockets a hash map's buckets and nodes (and a heap
    // copy of each event name longer than 15 characters) would dominate each socket. Event names
    // are interned once per thread (interned_event_name), so a handler costs its std::function.
    struct Handler {
        const std::string* name;
        EventHandler handler;
    };
    std::vector<Handler> handlers_;
    std::vector<DisconnectHandler> disconnect_handlers_;
    // What only some sockets ever use (acks the server asked for, connection state recovery), in
    // a block allocated on first use instead of in every socket.
    struct Occasional {
        std::string pid;
        bool recovered = false;
        std::vector<std::pair<std::string, std::string>> resumed_from;  // room, offset
        std::uint64_t next_ack_id = 0;
        std::vector<std::pair<std::uint64_t, AckHandler>> pending_acks;
    };
    std::unique_ptr<Occasional> occasional_;
    Occasional& occasional();
};

}  // namespace pulse::sio
