#pragma once
// The one entry point from http/ into a protocol mounted under a path prefix (the Engine.IO
// server): the listener hands it every request under that prefix, and the socket of a WebSocket
// upgrade. The layers above implement Endpoint; http/ never sees their types.
#include <cstddef>
#include <memory>
#include <string_view>

#include "http/message.hpp"
#include "net/shard_socket.hpp"

namespace pulse::http {

// One HTTP request awaiting its answer (a long-polling GET may wait for seconds). Implemented by
// the listener's connection; the endpoint may answer from any shard thread.
class Reply {
  public:
    virtual ~Reply() = default;
    // Thread-safe; call at most once. Ignored when the connection is already gone.
    virtual void send(Response response) = 0;
};

class Endpoint {
  public:
    virtual ~Endpoint() = default;

    // Body limit for requests to this endpoint (a larger body goes to handle_oversized).
    virtual std::size_t body_limit() const = 0;

    // Every call below runs on the thread of the connection's shard `conn_shard`.
    // A complete request (anything but a WebSocket upgrade).
    virtual void handle_request(std::size_t conn_shard, Request request,
                                std::shared_ptr<Reply> reply) = 0;
    // The body exceeded body_limit(); the connection closes after the answer.
    virtual void handle_oversized(std::size_t conn_shard, Request request,
                                  std::shared_ptr<Reply> reply) = 0;
    // A WebSocket upgrade request: the endpoint now owns the socket (no bytes were buffered past
    // the request: a client waits for the 101 before sending frames).
    virtual void handle_upgrade(std::size_t conn_shard, Request request,
                                net::ShardSocket socket) = 0;
    // The connection of a pending request (`query` is its query string) went away before its
    // answer: a cancelled long poll.
    virtual void request_aborted(std::string_view query, const Reply* reply) = 0;
};

}  // namespace pulse::http
