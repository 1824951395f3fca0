#include "sio/server.hpp"

#include <stdexcept>

#include "sio/client.hpp"

namespace pulse::sio {

Server::Server(std::size_t shard_count, ServerOptions options)
    : options_(options), shards_(shard_count) {
    add_namespace("/");
}

Server::~Server() = default;

void Server::add_namespace(std::string name, ConnectionHandler on_connection) {
    if (name.empty() || name.front() != '/')
        throw std::invalid_argument("namespace must start with '/': " + name);
    for (auto& shard : shards_)
        if (!shard.contains(name)) shard.emplace(name, std::make_unique<ShardNamespace>());
    auto& ns = namespaces_[name];
    ns.on_connection = std::move(on_connection);
    ns.handlers.name = std::move(name);
}

Server::Namespace& Server::known_namespace(std::string_view nsp) {
    auto it = namespaces_.find(nsp);
    if (it == namespaces_.end())
        throw std::invalid_argument("unknown namespace: " + std::string(nsp));
    return it->second;
}

void Server::refuse_once_serving(const char* what) const {
    // The tables are read by every shard thread without a lock: they are set-up only.
    if (serving_.load(std::memory_order_relaxed))
        throw std::logic_error(std::string(what) + " after the server started serving");
}

void Server::on(std::string_view nsp, std::string event, EventHandler handler) {
    refuse_once_serving("Server::on");
    auto& events = known_namespace(nsp).handlers.events;
    for (auto& [name, h] : events)
        if (name == event) {
            h = std::move(handler);
            return;
        }
    events.emplace_back(std::move(event), std::move(handler));
}

void Server::use(std::string_view nsp, ConnectMiddleware middleware) {
    refuse_once_serving("Server::use");
    known_namespace(nsp).handlers.middleware.push_back(std::move(middleware));
}

void Server::on_disconnecting(std::string_view nsp, DisconnectHandler handler) {
    refuse_once_serving("Server::on_disconnecting");
    known_namespace(nsp).handlers.disconnecting.push_back(std::move(handler));
}

void Server::on_disconnect(std::string_view nsp, DisconnectHandler handler) {
    refuse_once_serving("Server::on_disconnect");
    known_namespace(nsp).handlers.disconnect.push_back(std::move(handler));
}

bool Server::has_namespace(std::string_view name) const {
    return namespaces_.contains(name);
}

void Server::attach(std::shared_ptr<engine::Socket> socket,
                    boost::asio::io_context& shard_context) {
    serving_.store(true, std::memory_order_relaxed);
    auto client = std::make_shared<Client>(*this, std::move(socket), shard_context);
    client->start();
}

Server::ShardNamespace* Server::shard_namespace(std::size_t shard, std::string_view nsp) {
    if (shard >= shards_.size()) return nullptr;
    auto it = shards_[shard].find(nsp);
    return it == shards_[shard].end() ? nullptr : it->second.get();
}

adapter::RoomIndex* Server::rooms(std::size_t shard, std::string_view nsp) {
    auto* ns = shard_namespace(shard, nsp);
    return ns ? &ns->rooms : nullptr;
}

std::size_t Server::socket_count(std::size_t shard) const {
    std::size_t n = 0;
    if (shard < shards_.size())
        for (const auto& [name, ns] : shards_[shard]) n += ns->sockets;
    return n;
}

const Server::ConnectionHandler* Server::connection_handler(std::string_view nsp) const {
    auto it = namespaces_.find(nsp);
    return it == namespaces_.end() ? nullptr : &it->second.on_connection;
}

const NamespaceHandlers* Server::namespace_handlers(std::string_view nsp) const {
    auto it = namespaces_.find(nsp);
    return it == namespaces_.end() ? nullptr : &it->second.handlers;
}

}  // namespace pulse::sio
