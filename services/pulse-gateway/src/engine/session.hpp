#pragma once
// One Engine.IO session: the state machine described in README.md. Transport-independent: it owns
// the bounded send queue and the heartbeat, and is carried by long-polling requests or by a
// WebSocket (with an upgrade probe WebSocket alongside while polling is being upgraded).
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/deadline_list.hpp"
#include "engine/outgoing.hpp"
#include "engine/server_shard.hpp"
#include "engine/socket.hpp"
#include "engine/websocket_connection.hpp"
#include "http/endpoint.hpp"

namespace pulse::engine {

// The DeadlineEntry base is the session's place in its shard's ping or pong deadline list (the
// heartbeat: see deadline_list.hpp).
class Session final : public Socket,
                      public WsOwner,
                      public DeadlineEntry,
                      public std::enable_shared_from_this<Session> {
  public:
    enum class State { open, closed };

    Session(ServerShard& shard, std::string sid, HandshakeRequest request);
    ~Session() override;

    // engine::Socket
    const std::string& id() const override { return sid_; }
    std::size_t shard() const override { return shard_.index(); }
    const HandshakeRequest& request() const override { return request_; }
    std::string_view transport_name() const override { return ws_ ? "websocket" : "polling"; }
    void send_text_packet(std::shared_ptr<const std::string> packet) override;
    void send_binary(std::shared_ptr<const std::string> bytes) override;
    std::size_t buffered_bytes() const override;
    bool open() const override { return state_ == State::open; }
    void close() override;

    // Driven by engine::Server on this session's shard.
    void open_polling();
    void open_websocket(std::shared_ptr<WsConnection> ws);
    void on_poll(std::shared_ptr<http::Reply> reply);
    void on_post(std::string_view body, std::shared_ptr<http::Reply> reply);
    void on_poll_aborted(const http::Reply* reply);
    // A GET for this session after it ended with no GET waiting (ServerShard::find_lingering):
    // answered with what the session still owed its client, then the session is gone.
    void on_last_poll(std::shared_ptr<http::Reply> reply);
    void on_oversized_post(std::shared_ptr<http::Reply> reply);
    // A WebSocket with this sid: the upgrade probe, or (while upgrading / upgraded) a duplicate.
    void on_websocket(std::shared_ptr<WsConnection> ws);
    void shutdown();        // graceful, CloseReason::server_shutdown
    void deferred_flush();  // the end-of-tick flush that schedule_flush asked for

    // The shard's heartbeat lists call this for a session whose ping or pong deadline passed.
    static void on_heartbeat_due(DeadlineEntry& entry);

    State state() const { return state_; }
    bool upgraded() const { return ws_ != nullptr; }

    // WsOwner
    void on_ws_message(WsConnection& ws, std::string_view data, bool binary) override;
    void on_ws_drained(WsConnection& ws) override;
    void on_ws_closed(WsConnection& ws, CloseReason reason) override;

  private:
    // Control packets (open, ping) never count as overflow: only what the upper layer sends does.
    void enqueue(std::shared_ptr<const std::string> data, bool binary, bool control = false);
    void flush();
    void schedule_flush();
    void answer_poll(std::string_view trailer);  // queued packets + optional trailing packet
    std::string take_poll_body(std::string_view trailer);  // empties the queue
    void handle_packet(char type, std::string_view data, bool binary);
    void on_probe_message(std::string_view data, bool binary);
    void complete_upgrade();
    void drop_probe();

    void schedule_ping();
    void on_ping_due();
    void on_pong_missing();
    void on_upgrade_timeout();

    void begin_graceful_close(CloseReason reason);
    void close_now(CloseReason reason);
    // Ends the session. A polling session with no GET waiting may still owe its client an answer
    // (`last_answer`): it then lingers (ServerShard::linger) until that GET comes or `linger`
    // passes, whichever is first.
    void finish(CloseReason reason, std::string last_answer = {},
                std::chrono::milliseconds linger = {});
    void end_linger();

    http::Response poll_response(std::string body) const;
    http::Response post_ok() const;

    ServerShard& shard_;  // all the session sees of its server
    const std::string sid_;
    const HandshakeRequest request_;
    State state_ = State::open;

    PacketQueue queue_;
    bool flush_posted_ = false;  // a flush is scheduled for the end of this I/O tick
    bool on_websocket_ = false;  // counted as a WebSocket session (else polling) in the stats

    std::shared_ptr<WsConnection> ws_;  // WebSocket transport (direct or after the upgrade)

    // What only a polling session needs, in a block created on first use and dropped once the
    // upgrade completes: a direct WebSocket session (most of them) never has one.
    struct Polling {
        std::shared_ptr<http::Reply> pending_get;  // the GET waiting for packets
        std::shared_ptr<WsConnection> probe;       // upgrade in progress
        bool probed = false;                       // "2probe"/"3probe" exchanged
        // Upgrade deadline, or the end of the linger after the session ended (first use).
        std::unique_ptr<boost::asio::steady_timer> upgrade_timer;
        // Once ended with no GET waiting: the body its next GET gets (empty: not lingering), and
        // the client's close POST, answered only after that GET (see close_now).
        std::string last_answer;
        // last_answer holds packets that were queued: the close packet goes alone, with the GET
        // after it (see begin_graceful_close).
        bool close_next = false;
        bool hold_post = false;
        std::shared_ptr<http::Reply> held_post;
    };
    std::unique_ptr<Polling> polling_;
    Polling& polling();
    http::Reply* pending_get() const { return polling_ ? polling_->pending_get.get() : nullptr; }
    WsConnection* probe() const { return polling_ ? polling_->probe.get() : nullptr; }
    bool probed() const { return polling_ && polling_->probed; }
    boost::asio::steady_timer& upgrade_timer();
    void cancel_upgrade_timer();
    bool awaiting_pong_ = false;  // in the pong deadline list rather than the ping one
};

}  // namespace pulse::engine
