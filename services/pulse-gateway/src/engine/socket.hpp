#pragma once
// The contract between Engine.IO (engine/) and everything above it (sio/, the conformance echo).
// One engine::Socket is one Engine.IO session, whatever transport currently carries it (polling,
// WebSocket, or polling being upgraded). It lives on one IoShards shard; every method must be
// called on that shard's thread, and every handler is invoked there.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace pulse::engine {

enum class CloseReason {
    transport_close,  // the peer went away / sent a close packet or frame
    transport_error,  // malformed data, protocol violation, duplicate GET, oversized payload
    ping_timeout,     // no pong within pingTimeout
    send_overflow,    // the bounded send queue (bytes) overflowed: a slow client is cut
    server_close,     // close() called by the upper layer
    server_shutdown,  // the process is stopping (SIGTERM)
};
const char* to_string(CloseReason reason);

// What the upper layers may want from the request that opened the session.
struct HandshakeRequest {
    std::string remote_address;
    std::string origin;  // empty when the request carried none
    std::string query;   // raw query string of the handshake request (without '?')
};

class Socket {
  public:
    virtual ~Socket() = default;

    virtual const std::string& id() const = 0;  // the Engine.IO sid
    virtual std::size_t shard() const = 0;      // index into IoShards
    virtual const HandshakeRequest& request() const = 0;
    virtual std::string_view transport_name() const = 0;  // "polling" or "websocket"

    // Queues one complete Engine.IO *text* packet, type digit included, e.g. `42["ev",{}]` for a
    // Socket.IO event. Shared and immutable so one broadcast is encoded once for every socket.
    virtual void send_text_packet(std::shared_ptr<const std::string> packet) = 0;
    // Queues one Engine.IO message packet carrying binary data (WebSocket binary frame, or
    // "b"+base64 over polling).
    virtual void send_binary(std::shared_ptr<const std::string> bytes) = 0;
    // Bytes queued and not yet handed to the kernel.
    virtual std::size_t buffered_bytes() const = 0;
    // Flushes what is queued, then closes the session (close packet over polling, close frame
    // over WebSocket). on_close fires once, with server_close.
    virtual void close() = 0;

    // Set by the upper layer inside Server::on_connection, before returning.
    // on_message: the payload of an Engine.IO message packet (type 4), without the type digit;
    //             binary=true for binary data.
    std::function<void(std::string_view data, bool binary)> on_message;
    // Fires exactly once when the session ends, for any reason. Both handlers are released
    // together just before it runs, and on_message is never called after that (so on_message
    // may rely on whatever on_close keeps alive).
    std::function<void(CloseReason reason)> on_close;
};

}  // namespace pulse::engine
