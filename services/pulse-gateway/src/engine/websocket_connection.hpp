#pragma once
// One WebSocket over a raw TCP socket, framed by hand (ws_frame.hpp) after engine/server.cpp
// checked the upgrade request. Why not Beast's websocket::stream: it writes one message per
// operation, and the send path wants many queued packets in one gathered write (one writev per
// batch of up to 32 frames, frame headers built in place, packet bytes shared, nothing copied).
// Lives on its session's shard; all calls on that thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/outgoing.hpp"
#include "engine/socket.hpp"
#include "engine/ws_frame.hpp"
#include "net/shard_socket.hpp"

namespace pulse::engine {

class WsConnection;

// Whoever the WebSocket currently serves: a session (as its transport, or as an upgrade probe).
class WsOwner {
  public:
    virtual ~WsOwner() = default;
    virtual void on_ws_message(WsConnection& ws, std::string_view data, bool binary) = 0;
    // The last batch reached the kernel: hand over more (write_from) if any is queued.
    virtual void on_ws_drained(WsConnection& ws) = 0;
    // The peer closed, the connection failed or spoke bad protocol. Called at most once.
    virtual void on_ws_closed(WsConnection& ws, CloseReason reason) = 0;
};

class WsConnection : public std::enable_shared_from_this<WsConnection> {
  public:
    // The connection's life, in order (a step may be skipped; it never goes back):
    enum class State {
        open,          // messages flow both ways
        flushing,      // close() asked: the backlog goes out, then our close frame
        close_queued,  // our close frame is queued or written; waiting for the peer's (linger)
        peer_closed,   // the peer's close frame came and ours is queued: closed once it is out
        closed,        // socket closed
    };
    struct WriteBatch;  // the vectors one gathered write is built in (websocket_connection.cpp)
    // Bound to the io_context's own executor type (see http/shard_socket.hpp).
    using Stream = net::ShardSocket;

    WsConnection(Stream socket, std::size_t max_message);
    ~WsConnection();

    // Writes the 101 answer for `client_key` and starts reading. With `write_now` false the
    // answer waits for the owner's first write, so that it leaves in the same segment as the
    // Engine.IO open packet (one write and one wake-up of the client fewer per connection).
    void accept(std::string_view client_key, std::weak_ptr<WsOwner> owner, bool write_now = true);
    void set_owner(std::weak_ptr<WsOwner> owner) { owner_ = std::move(owner); }

    State state() const { return state_; }
    bool idle() const { return !writing_; }
    std::size_t in_flight_bytes() const { return in_flight_bytes_; }
    // Moves up to a batch of packets from the owner's queue into one gathered write. Call when
    // idle(); the owner hears on_ws_drained when it completes.
    void write_from(PacketQueue& queue);
    // A text packet that bypasses the owner's queue (the upgrade probe's "3probe").
    void send_direct(std::shared_ptr<const std::string> packet);
    // Writes `rest`, then a close frame with `code`, then shuts the connection down. The owner is
    // forgotten: no callback fires afterwards.
    void close(std::uint16_t code, PacketQueue rest = {});
    // Drops the TCP connection now (a client too slow to be worth a goodbye).
    void abort();

    // Answers a refused upgrade with a plain HTTP error and closes.
    static void reject(Stream socket, unsigned status, std::string body,
                       const std::vector<std::pair<std::string, std::string>>& headers);

  private:
    void do_read();
    void on_readable();
    bool on_read(std::string_view bytes);  // false: stop reading
    void report_closed(CloseReason reason);
    void protocol_close(std::uint16_t code, CloseReason reason);
    void on_peer_close();
    // Our close frame goes to the front of the output (after control bytes already queued).
    void queue_close_frame(std::uint16_t code);

    // One gathered write, in named steps: gather (control bytes, direct packets, backlog, then
    // `source`), frame (headers built in place, one buffer list), then write_now (the
    // synchronous writev on the non-blocking socket) and, for whatever the kernel refused,
    // write_async. on_write_done decides what follows: more output, the close handshake, or
    // asking the owner for more.
    void start_write(PacketQueue* source);
    bool gather(PacketQueue* source);  // false: nothing to write
    void frame();
    bool write_now();  // true: the whole batch reached the kernel
    void write_async();
    void on_write_done();
    void linger();
    void borrow_write_buffers();          // the thread's scratch vectors, if we hold none
    void release_write_buffers();         // back to the scratch (or freed): nothing kept while idle
    void consume_written(std::size_t n);  // drops the first n bytes from the batch
    void finish_close();
    void kick();

    Stream socket_;
    ws::Reader reader_;
    // No per-connection read buffer: reads wait for readiness, then drain the socket into one
    // buffer per thread (idle connections are most of them; each would pay for its own).
    std::weak_ptr<WsOwner> owner_;

    // Write side. What is written besides the owner's queue (the 101 answer, pongs, the upgrade
    // probe's answer, the close frame and what a closing connection still flushes) is rare: it
    // lives in one block allocated when needed and freed once written, instead of three
    // containers in every idle connection.
    struct Occasional {
        std::vector<std::string> control;  // raw bytes first: 101 answer, pongs, the close frame
        PacketQueue direct;                // send_direct packets, before the owner's queue
        PacketQueue backlog;               // close(code, rest): what is left to flush
        std::unique_ptr<boost::asio::steady_timer> linger;  // once our close frame is out
    };
    std::unique_ptr<Occasional> occasional_;
    Occasional& occasional();
    bool occasional_output() const;  // control bytes, direct packets or backlog waiting
    void drop_occasional_if_unused();
    std::unique_ptr<WriteBatch> batch_;  // only while a batch is being written
    std::size_t in_flight_bytes_ = 0;
    State state_ = State::open;
    bool writing_ = false;          // a batch is with the kernel or with Asio
    bool reported_ = false;         // on_ws_closed delivered, or the owner let go (close/abort)
    unsigned char sync_depth_ = 0;  // nested synchronous batch completions (start_write)

    bool closing() const { return state_ != State::open; }  // no owner messages any more
    bool close_frame_queued() const {
        return state_ == State::close_queued || state_ == State::peer_closed;
    }
    bool dead() const { return state_ == State::closed; }
};

}  // namespace pulse::engine
