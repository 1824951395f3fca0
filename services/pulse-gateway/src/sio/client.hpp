#pragma once
// One Engine.IO session seen from Socket.IO (socket.io's `Client`): decodes its packets, connects
// it to namespaces (one sio::Socket each), routes events and acks, and enforces the connect
// timeout. A malformed packet closes this session only.
//
// Lifetime: the engine::Socket holds the Client (its listener) until it has ended, and releases it
// just before on_close; the Client holds the engine::Socket for its whole life (the handshake
// request and shard are read from it), which is no cycle once on_close has run.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/socket.hpp"
#include "parser/decoder.hpp"
#include "parser/packet.hpp"
#include "sio/rate_window.hpp"

namespace boost::asio {
class io_context;
}

namespace pulse::sio {

class Server;
class Socket;
struct Offset;

class Client : public engine::SocketListener, public std::enable_shared_from_this<Client> {
  public:
    Client(Server& server, std::shared_ptr<engine::Socket> socket,
           boost::asio::io_context& shard_context);
    ~Client() override;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Becomes the engine socket's listener and starts the connect timer.
    void start();

    const engine::HandshakeRequest& handshake() const { return engine_->request(); }
    std::size_t shard() const { return engine_->shard(); }
    const Server& server() const { return server_; }
    bool open() const { return !closed_; }

    // Encodes and sends one packet (text, then its binary attachments).
    void send(const parser::Packet& packet);
    void send_encoded(const std::shared_ptr<const std::string>& engine_text_packet);
    // Closes the Engine.IO session; sockets end when its on_close fires.
    void close();

    // Called by Socket::disconnect (server side) and on a DISCONNECT from the peer.
    void remove_socket(const std::string& nsp, std::string_view reason);

    // engine::SocketListener
    void on_message(std::string_view data, bool binary) override;
    void on_close(engine::CloseReason reason) override;

  private:
    void on_packet(parser::Packet packet);
    void connect(const std::string& nsp, parser::Json auth);
    // Runs connect() again after kConnectRetry (a resume refused as ahead_of_shard waits for
    // this shard's bus to catch up, see RecoveryStore::restore).
    void connect_later(std::string nsp, parser::Json auth);
    void fail(std::string_view why);

    struct Timer;
    Server& server_;
    std::shared_ptr<engine::Socket> engine_;
    bool closed_ = false;            // the engine socket ended: nothing is sent any more
    std::uint8_t resume_waits_ = 0;  // connect_later() calls spent waiting for the bus
    // Recovery: what this shard had delivered when the first broadcast after the session's end
    // was dropped (on_close comes later); the client has nothing after it.
    std::unique_ptr<Offset> dropped_after_;
    // The flood limit's window (ServerOptions::max_packets_per_second), in the padding after
    // closed_.
    RateWindow packet_rate_;
    // Only while a binary packet waits for its attachments; a text packet is decoded by a
    // Decoder on the stack. Keeping one per client for the rare binary packet would be the
    // largest part of an idle client.
    std::unique_ptr<parser::Decoder> pending_binary_;
    std::unique_ptr<Timer> connect_timer_;  // null once a namespace connected
    // One socket per connected namespace, nearly always just "/": a vector searched linearly
    // costs one small block, much less than a std::map node.
    std::vector<std::shared_ptr<Socket>> sockets_;
    std::vector<std::shared_ptr<Socket>>::iterator find_socket(std::string_view nsp);
};

}  // namespace pulse::sio
