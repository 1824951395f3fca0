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
// What the upper layer hears from a socket (see Socket::listener).
class SocketListener {
  public:
    virtual ~SocketListener() = default;
    // The payload of an Engine.IO message packet (type 4), without the type digit; binary=true
    // for binary data.
    virtual void on_message(std::string_view data, bool binary) = 0;
    // Exactly once when the session ends, for any reason.
    virtual void on_close(CloseReason reason) = 0;
};

// A listener made of two functions, for small handlers (tests, the echo server).
struct FunctionListener final : SocketListener {
    std::function<void(std::string_view data, bool binary)> message;
    std::function<void(CloseReason reason)> close;
    void on_message(std::string_view data, bool binary) override {
        if (message) message(data, binary);
    }
    void on_close(CloseReason reason) override {
        if (close) close(reason);
    }
};

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
    // False once the session has ended, before on_close reaches the upper layer (it is posted):
    // what is sent in between is dropped.
    virtual bool open() const = 0;
    // Flushes what is queued, then closes the session (close packet over polling, close frame
    // over WebSocket). on_close fires once, with server_close.
    virtual void close() = 0;

    // Set by the upper layer inside Server::on_connection, before returning. The socket owns it
    // until the session ends: it is released just before its on_close runs (the call keeps it
    // alive) and never called afterwards, so a listener may own its socket without a lasting
    // cycle. One pointer per session rather than two std::function members (64 bytes, plus a
    // heap block for any capture larger than a pointer).
    std::shared_ptr<SocketListener> listener;
};

}  // namespace pulse::engine
