#pragma once
// The Socket.IO server (socket.io's `Server` + `Namespace`): the registered namespaces with their
// connection handlers, and per shard the sockets and rooms of each namespace.
//
// Set-up (add_namespace) happens before the first connection; afterwards the namespace table is
// read-only and every per-shard structure is touched only by its shard's thread.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/room_index.hpp"
#include "parser/packet.hpp"
#include "sio/socket.hpp"

namespace boost::asio {
class io_context;
}
namespace pulse::engine {
class Socket;
}

namespace pulse::sio {

class Socket;
class RecoveryStore;

struct ServerOptions {
    // A client that has not connected to any namespace by then is closed (socket.io's
    // connectTimeout).
    std::chrono::milliseconds connect_timeout{45000};
    std::size_t max_attachments = parser::kMaxAttachments;
    // Connection state recovery on the main namespace when set (owned by the caller, outlives
    // the server). The broadcasts must then carry offsets (see RecoveryStore).
    RecoveryStore* recovery = nullptr;
    // Socket.IO packets (and attachments) one client may send per second; past it the client
    // gets a "limit-error" event {"code":"flood","reason"} and its session is closed. 0: no limit.
    std::uint32_t max_packets_per_second = 0;
    std::atomic<std::uint64_t>* flood_closes = nullptr;  // counts those closes when set
};

class Server {
  public:
    // Runs on the socket's shard thread right after the CONNECT is acknowledged.
    using ConnectionHandler = std::function<void(Socket& socket)>;

    Server(std::size_t shard_count, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const ServerOptions& options() const { return options_; }

    // "/" always exists; other namespaces exist only when added. Call before serving.
    void add_namespace(std::string name, ConnectionHandler on_connection = nullptr);
    // Handlers for every socket of a namespace, registered once (call before serving; throws
    // std::invalid_argument for an unknown namespace). They behave as if each socket had
    // registered them in the connection handler, without costing each socket a copy: keep
    // per-socket state in the socket (its rooms, ...) rather than in captures. A socket's own
    // Socket::on for the same event takes precedence.
    void on(std::string_view nsp, std::string event, EventHandler handler);
    // A CONNECT middleware for the namespace (call before serving); they run in order, the first
    // refusal wins.
    void use(std::string_view nsp, ConnectMiddleware middleware);
    // Runs when a socket of the namespace ends, while it is still in its rooms.
    void on_disconnecting(std::string_view nsp, DisconnectHandler handler);
    // Runs when a socket of the namespace ended, after its own on_disconnect handlers.
    void on_disconnect(std::string_view nsp, DisconnectHandler handler);
    bool has_namespace(std::string_view name) const;

    // Takes over a new Engine.IO session (call from engine::Server's on_connection, on the
    // session's shard thread, passing that shard's io_context).
    void attach(std::shared_ptr<engine::Socket> socket, boost::asio::io_context& shard_context);

    // The rooms of a namespace on a shard; only from that shard's thread. nullptr if unknown.
    adapter::RoomIndex* rooms(std::size_t shard, std::string_view nsp);

    // Sockets connected on a shard (all namespaces); only from that shard's thread.
    std::size_t socket_count(std::size_t shard) const;

    // --- used by Client ---
    struct ShardNamespace {
        adapter::RoomIndex rooms;
        std::size_t sockets = 0;
    };
    ShardNamespace* shard_namespace(std::size_t shard, std::string_view nsp);
    const ConnectionHandler* connection_handler(std::string_view nsp) const;
    // The namespace's table entry (stable for the server's life), nullptr if unknown.
    const NamespaceHandlers* namespace_handlers(std::string_view nsp) const;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    template <class V>
    using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

    struct Namespace {
        ConnectionHandler on_connection;
        NamespaceHandlers handlers;
    };
    Namespace& known_namespace(std::string_view nsp);  // throws when unknown

    ServerOptions options_;
    Map<Namespace> namespaces_;         // nodes never move: sockets point at their `handlers`
    std::atomic<bool> serving_{false};  // set by the first attach(); set-up calls throw after it
    void refuse_once_serving(const char* what) const;
    std::vector<Map<std::unique_ptr<ShardNamespace>>> shards_;
};

}  // namespace pulse::sio
