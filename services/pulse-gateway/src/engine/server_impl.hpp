#pragma once
// engine::Server's insides: the http::Endpoint calls routed to the shard that owns the session
// (the sid's first character names it), session creation and the error answers. Only server.cpp
// includes this; sessions see their ServerShard, http/ sees the http::Endpoint.
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/address_limit.hpp"
#include "engine/errors.hpp"
#include "engine/origin_policy.hpp"
#include "engine/server.hpp"
#include "engine/server_shard.hpp"
#include "http/endpoint.hpp"
#include "http/message.hpp"
#include "net/shard_socket.hpp"

namespace pulse::engine {

class Session;

struct Server::Impl {
    Impl(net::IoShards& shards, ServerOptions options, ConnectionHandler on_connection);

    // The http::Endpoint calls, on the thread of the connection's shard `conn_shard`.
    void handle_request(std::size_t conn_shard, http::Request request,
                        std::shared_ptr<http::Reply> reply);
    void handle_oversized(std::size_t conn_shard, http::Request request,
                          std::shared_ptr<http::Reply> reply);
    void handle_upgrade(std::size_t conn_shard, http::Request request, net::ShardSocket socket);
    void request_aborted(const std::string& sid, const http::Reply* reply);

    std::size_t shard_of(const std::string& sid) const;  // npos when malformed

    net::IoShards& io_shards;
    const ServerOptions options;
    const ConnectionHandler on_connection;
    const OriginPolicy origins;
    std::atomic<std::size_t> sessions{0};
    std::atomic<bool> stopping{false};
    AddressLimit addresses;  // before the shards, which give slots back as sessions end
    std::vector<std::unique_ptr<ServerShard>> shards;

  private:
    std::string new_sid(std::size_t shard) const;
    std::shared_ptr<Session> create(std::size_t shard, const http::Request& request);
    void on_shard(std::size_t shard, std::shared_ptr<http::Reply> reply, http::Request request,
                  bool oversized);
    void upgrade_on_shard(std::size_t shard, http::Request request, net::ShardSocket socket);
    http::Response error_response(ErrorCode code, std::string_view origin) const;
    // Takes the request's address slot for a new session, or counts the refusal and returns
    // false (the caller answers kTooManyStatus / too_many_body()).
    bool admit(std::size_t conn_shard, const http::Request& request);
};

}  // namespace pulse::engine
