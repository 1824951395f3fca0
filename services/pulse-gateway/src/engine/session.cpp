#include "engine/session.hpp"

#include <boost/asio/post.hpp>

#include <pulse/log.hpp>

#include "engine/base64.hpp"
#include "engine/errors.hpp"
#include "engine/packet.hpp"
#include "net/io_shards.hpp"

namespace pulse::engine {

namespace asio = boost::asio;

namespace {
// Fixed control packets, shared by every session (no allocation per ping).
const std::shared_ptr<const std::string>& ping_packet() {
    static const auto p = std::make_shared<const std::string>("2");
    return p;
}
const std::shared_ptr<const std::string>& probe_answer() {
    static const auto p = std::make_shared<const std::string>("3probe");
    return p;
}
constexpr std::string_view close_packet = "1";
constexpr std::string_view noop_packet = "6";

// How long a client's close POST that arrived before its GET waits for that GET (see close_now).
// The GET was written before or with the POST, so it is already in the kernel: this only covers
// the time the thread of another shard may take to read it on a loaded machine.
constexpr std::chrono::milliseconds close_race_window{250};
}  // namespace

Session::Session(ServerShard& shard, std::string sid, HandshakeRequest request)
    : shard_(shard), sid_(std::move(sid)), request_(std::move(request)) {}

Session::Polling& Session::polling() {
    if (!polling_) polling_ = std::make_unique<Polling>();
    return *polling_;
}

boost::asio::steady_timer& Session::upgrade_timer() {
    auto& timer = polling().upgrade_timer;
    if (!timer) timer = std::make_unique<boost::asio::steady_timer>(shard_.io());
    return *timer;
}

void Session::cancel_upgrade_timer() {
    if (polling_ && polling_->upgrade_timer) polling_->upgrade_timer->cancel();
}

Session::~Session() = default;

// ---- opening ----

namespace {
std::string open_packet(const std::string& sid, bool polling, const ServerOptions& o) {
    // Exactly these five keys, in the reference server's order.
    return "0{\"sid\":\"" + sid + "\",\"upgrades\":" + (polling ? "[\"websocket\"]" : "[]") +
           ",\"pingInterval\":" + std::to_string(o.ping_interval.count()) +
           ",\"pingTimeout\":" + std::to_string(o.ping_timeout.count()) +
           ",\"maxPayload\":" + std::to_string(o.max_payload) + "}";
}
}  // namespace

void Session::open_polling() {
    ShardStats::add(shard_.stats().polling);
    enqueue(std::make_shared<const std::string>(open_packet(sid_, true, shard_.options())), false,
            true);
    schedule_ping();
}

void Session::open_websocket(std::shared_ptr<WsConnection> ws) {
    ws_ = std::move(ws);
    on_websocket_ = true;
    ShardStats::add(shard_.stats().websocket);
    enqueue(std::make_shared<const std::string>(open_packet(sid_, false, shard_.options())), false,
            true);
    schedule_ping();
    flush();
}

// ---- sending ----

void Session::send_text_packet(std::shared_ptr<const std::string> packet) {
    if (state_ != State::open || !packet) return;
    enqueue(std::move(packet), false);
    schedule_flush();
}

void Session::send_binary(std::shared_ptr<const std::string> bytes) {
    if (state_ != State::open || !bytes) return;
    enqueue(std::move(bytes), true);
    schedule_flush();
}

void Session::schedule_flush() {
    // Flush at the end of the current handler rather than per packet: everything queued in one
    // I/O tick (a batch of bus events, several echoes) leaves in one write / one poll response.
    if (flush_posted_ || state_ == State::closed) return;
    if (ws_ ? !ws_->idle() : !pending_get()) return;  // the next drain / GET takes it anyway
    flush_posted_ = true;
    shard_.defer_flush(shared_from_this());
}

void Session::deferred_flush() {
    flush_posted_ = false;
    if (state_ == State::open) flush();
}

std::size_t Session::buffered_bytes() const {
    return queue_.bytes() + (ws_ ? ws_->in_flight_bytes() : 0);
}

void Session::enqueue(std::shared_ptr<const std::string> data, bool binary, bool control) {
    const std::size_t size = data->size();
    if (!control && buffered_bytes() + size > shard_.options().max_buffered_bytes) {
        // A client that cannot keep up is cut rather than buffered without bound; the caller
        // (often a broadcast loop) is not re-entered: on_close is posted.
        close_now(CloseReason::send_overflow);
        return;
    }
    ShardStats::add(shard_.stats().bytes, size);
    queue_.push(Outgoing{std::move(data), binary});
}

void Session::flush() {
    if (queue_.empty()) return;
    if (ws_) {
        if (ws_->idle()) ws_->write_from(queue_);
    } else if (pending_get()) {
        answer_poll({});
    }
}

http::Response Session::poll_response(std::string body) const {
    http::Response r;
    r.status = 200;
    r.content_type = "text/plain; charset=UTF-8";
    r.body = std::move(body);
    shard_.origins().add_cors_headers(request_.origin, r.headers);
    return r;
}

void Session::answer_poll(std::string_view trailer) {
    if (!pending_get()) return;
    std::string body = take_poll_body(trailer);
    auto reply = std::move(polling_->pending_get);
    polling_->pending_get.reset();
    reply->send(poll_response(std::move(body)));
}

std::string Session::take_poll_body(std::string_view trailer) {
    std::string body;
    std::size_t estimate = trailer.size();
    queue_.for_each(
        [&](const Outgoing& o) { estimate += o.data->size() * (o.binary ? 2 : 1) + 2; });
    body.reserve(estimate);
    queue_.for_each([&](const Outgoing& o) {
        if (!body.empty()) body.push_back(record_separator);
        if (o.binary) {
            body.push_back('b');
            body += base64_encode(*o.data);
        } else {
            body += *o.data;
        }
    });
    queue_.clear();
    if (!trailer.empty()) {
        if (!body.empty()) body.push_back(record_separator);
        body += trailer;
    }
    if (body.empty()) body = noop_packet;
    return body;
}

http::Response Session::post_ok() const {
    http::Response ok;
    ok.status = 200;
    ok.content_type = "text/html";
    ok.body = "ok";
    shard_.origins().add_cors_headers(request_.origin, ok.headers);
    return ok;
}

// ---- polling requests ----

void Session::on_poll(std::shared_ptr<http::Reply> reply) {
    if (polling_ && !polling_->last_answer.empty()) {
        on_last_poll(std::move(reply));  // e.g. the handshake GET of a session closed at once
        return;
    }
    if (state_ == State::closed) {
        reply->send(poll_response(std::string(close_packet)));
        return;
    }
    if (pending_get()) {
        // Two GETs at once: the reference server refuses the second and ends the session.
        http::Response r;
        r.status = 400;
        r.body = error_body(ErrorCode::bad_request);
        shard_.origins().add_cors_headers(request_.origin, r.headers);
        reply->send(std::move(r));
        close_now(CloseReason::transport_error);
        return;
    }
    polling().pending_get = std::move(reply);
    if (!queue_.empty()) {
        answer_poll({});
    } else if (probed()) {
        answer_poll(noop_packet);  // let the client finish its upgrade
    }
}

void Session::on_poll_aborted(const http::Reply* reply) {
    if (pending_get() && pending_get() == reply) {
        polling_->pending_get.reset();
        close_now(CloseReason::transport_error);
    }
}

void Session::on_last_poll(std::shared_ptr<http::Reply> reply) {
    if (!polling_ || polling_->last_answer.empty()) {
        reply->send(poll_response(std::string(close_packet)));
        return;
    }
    reply->send(poll_response(std::move(polling_->last_answer)));
    if (polling_->close_next) {
        polling_->close_next = false;
        polling_->last_answer = close_packet;  // for the next GET, within the same linger
        return;
    }
    end_linger();
}

void Session::on_post(std::string_view body, std::shared_ptr<http::Reply> reply) {
    if (state_ == State::open) {
        auto packets = decode_payload(body);
        if (!packets) {
            close_now(CloseReason::transport_error);
        } else {
            auto self = shared_from_this();  // a handler may close us mid-payload
            for (const auto& p : *packets) {
                if (state_ != State::open) break;
                handle_packet(static_cast<char>(p.type), p.data, p.binary);
            }
        }
    }
    if (polling_ && polling_->hold_post) {
        // Its close packet ended the session before the client's GET was read: answered after it.
        polling_->hold_post = false;
        polling_->held_post = std::move(reply);
        return;
    }
    // Like the reference server: the POST itself succeeded even when its content ended the session.
    reply->send(post_ok());
}

void Session::on_oversized_post(std::shared_ptr<http::Reply> reply) {
    http::Response r;
    r.status = 413;
    r.content_type = "text/plain; charset=UTF-8";
    r.body = "Payload Too Large";
    r.close_connection = true;
    shard_.origins().add_cors_headers(request_.origin, r.headers);
    reply->send(std::move(r));
    close_now(CloseReason::transport_error);
}

// ---- incoming packets ----

void Session::handle_packet(char type, std::string_view data, bool binary) {
    switch (static_cast<PacketType>(type)) {
        case PacketType::message:
            if (listener) listener->on_message(data, binary);
            break;
        case PacketType::pong:
            if (awaiting_pong_) {
                awaiting_pong_ = false;
                schedule_ping();
            }
            break;
        case PacketType::close:
            close_now(CloseReason::transport_close);
            break;
        case PacketType::ping:
            // In v4 only the server pings (the probe travels on the probe WebSocket).
            close_now(CloseReason::transport_error);
            break;
        default:
            break;  // open/upgrade/noop from a client mean nothing here
    }
}

void Session::on_ws_message(WsConnection& ws, std::string_view data, bool binary) {
    if (&ws == probe()) {
        on_probe_message(data, binary);
        return;
    }
    if (&ws != ws_.get() || state_ != State::open) return;
    if (binary) {
        handle_packet(static_cast<char>(PacketType::message), data, true);
        return;
    }
    if (data.empty() || data.front() < '0' || data.front() > '6') {
        close_now(CloseReason::transport_error);
        return;
    }
    handle_packet(data.front(), data.substr(1), false);
}

void Session::on_ws_drained(WsConnection& ws) {
    if (&ws == ws_.get()) flush();
}

void Session::on_ws_closed(WsConnection& ws, CloseReason reason) {
    if (&ws == probe()) {
        polling_->probe.reset();  // a failed upgrade leaves the session on polling
        polling_->probed = false;
        return;
    }
    if (&ws == ws_.get()) {
        ws_.reset();  // already closing itself
        close_now(reason);
    }
}

// ---- upgrade ----

void Session::on_websocket(std::shared_ptr<WsConnection> ws) {
    if (state_ != State::open || ws_ || probe()) {
        // Already upgrading or upgraded: accepted, then closed (as the reference server does).
        ws->close(ws::close_normal);
        return;
    }
    polling().probe = std::move(ws);
    auto self = shared_from_this();
    upgrade_timer().expires_after(shard_.options().upgrade_timeout);
    upgrade_timer().async_wait([self](boost::system::error_code ec) {
        if (!ec) self->on_upgrade_timeout();
    });
}

void Session::on_probe_message(std::string_view data, bool binary) {
    if (!binary && data == "2probe" && !probed()) {
        polling_->probed = true;
        polling_->probe->send_direct(probe_answer());
        // The client pauses polling until its pending GET returns: release it now.
        if (pending_get()) answer_poll(queue_.empty() ? noop_packet : std::string_view{});
        return;
    }
    if (!binary && data == "5" && probed()) {
        complete_upgrade();
        return;
    }
    drop_probe();  // anything else aborts the upgrade, not the session
}

void Session::complete_upgrade() {
    cancel_upgrade_timer();
    if (pending_get()) {
        // Release a straggling GET with a bare noop: the client drops its polling transport now,
        // so queued packets must wait for the WebSocket instead of riding on this response.
        auto reply = std::move(polling_->pending_get);
        polling_->pending_get.reset();
        reply->send(poll_response(std::string(noop_packet)));
    }
    ws_ = std::move(polling_->probe);
    ShardStats::sub(shard_.stats().polling);
    ShardStats::add(shard_.stats().websocket);
    on_websocket_ = true;
    // Polling is over for good: its state (the answered GET, the cancelled upgrade timer) goes.
    polling_.reset();
    flush();  // what was queued meanwhile now goes out, in order, over the WebSocket
}

void Session::on_upgrade_timeout() {
    if (probe()) drop_probe();
}

void Session::drop_probe() {
    if (!probe()) return;
    cancel_upgrade_timer();
    polling_->probe->close(ws::close_normal);
    polling_->probe.reset();
    polling_->probed = false;
}

// ---- heartbeat ----

void Session::schedule_ping() {
    shard_.ping_deadlines().push_back(*this);
}

void Session::on_heartbeat_due(DeadlineEntry& entry) {
    auto& session = static_cast<Session&>(entry);
    auto self = session.shared_from_this();  // closing may drop the registry's reference
    if (session.awaiting_pong_) {
        session.on_pong_missing();
    } else {
        session.on_ping_due();
    }
}

void Session::on_ping_due() {
    if (state_ != State::open) return;
    // The pong deadline starts when the ping is queued, whether or not it reached the client.
    awaiting_pong_ = true;
    shard_.pong_deadlines().push_back(*this);
    enqueue(ping_packet(), false, true);
    flush();
}

void Session::on_pong_missing() {
    if (state_ == State::open && awaiting_pong_) close_now(CloseReason::ping_timeout);
}

// ---- closing ----

void Session::close() {
    begin_graceful_close(CloseReason::server_close);
}
void Session::shutdown() {
    begin_graceful_close(CloseReason::server_shutdown);
}

void Session::begin_graceful_close(CloseReason reason) {
    if (state_ != State::open) return;
    drop_probe();
    if (ws_) {
        // Flush what is queued, then the close frame (WebSocket carries no close packet).
        auto ws = std::move(ws_);
        ws_.reset();
        ws->close(ws::close_normal, std::move(queue_));
        queue_.clear();
        finish(reason);
        return;
    }
    // Over polling, what was queued goes in one answer and the close packet alone in the next,
    // as the reference server does: socket.io-client handles the events of an answer after that
    // answer's close packet, so it buffers them as if they came after the disconnect, resumes
    // without counting them in its offset, and then gets them twice (once from its buffer, once
    // replayed).
    const auto linger = shard_.options().ping_timeout;
    if (pending_get()) {
        if (queue_.empty()) {
            answer_poll(close_packet);
            finish(reason);
        } else {
            answer_poll({});
            finish(reason, std::string(close_packet), linger);
        }
        return;
    }
    // Polling with no GET waiting: the session ends now (its upper layer hears of it, a draining
    // process does not wait for this client's next poll); what was queued, then the close packet,
    // are kept for its next polls, for as long as a live client takes to come back.
    if (queue_.empty()) {
        finish(reason, std::string(close_packet), linger);
    } else {
        finish(reason, take_poll_body({}), linger);
        polling().close_next = true;
    }
}

void Session::close_now(CloseReason reason) {
    if (state_ == State::closed) return;
    drop_probe();
    queue_.clear();
    if (pending_get()) {
        // A client that closed itself gets a noop, like the reference server; otherwise say close.
        answer_poll(reason == CloseReason::transport_close ? noop_packet : close_packet);
    } else if (reason == CloseReason::transport_close && !on_websocket_) {
        // The client's close packet (on a POST) was read before its GET: a polling client keeps a
        // GET out at all times, so that GET was sent before or with the POST on another
        // connection, which another shard may read later. It gets the noop it is owed whichever
        // was read first, and the POST's answer waits for it (at most close_race_window), so that
        // only a GET sent after the client saw the close answered is refused as unknown.
        polling().hold_post = true;
        finish(reason, std::string(noop_packet), close_race_window);
        return;
    }
    if (ws_) {
        auto ws = std::move(ws_);
        ws_.reset();
        if (reason == CloseReason::send_overflow) {
            ws->abort();
        } else {
            ws->close(ws::close_normal);
        }
    }
    finish(reason);
}

void Session::finish(CloseReason reason, std::string last_answer,
                     std::chrono::milliseconds linger) {
    if (state_ == State::closed) return;
    state_ = State::closed;
    leave_deadline_list();
    cancel_upgrade_timer();
    if (pending_get()) answer_poll(close_packet);
    if (probe()) {
        polling_->probe->close(ws::close_normal);
        polling_->probe.reset();
    }
    if (ws_) {
        ws_->close(ws::close_normal);
        ws_.reset();
    }
    queue_.clear();
    ShardStats& stats = shard_.stats();
    ShardStats::sub(on_websocket_ ? stats.websocket : stats.polling);
    ShardStats::add(stats.closes[static_cast<std::size_t>(reason)]);
    auto self = shared_from_this();
    if (last_answer.empty()) {
        shard_.remove(*this);
    } else {
        polling().last_answer = std::move(last_answer);
        shard_.linger(*this);
        upgrade_timer().expires_after(linger);
        upgrade_timer().async_wait([self](boost::system::error_code ec) {
            if (!ec) self->end_linger();
        });
    }
    if (pulse::log::enabled(pulse::log::Level::debug))
        pulse::log::debug("engine session closed", {{"sid", sid_}, {"reason", to_string(reason)}});
    // Posted, never run inside a Socket method: an upper layer iterating its sockets (a broadcast)
    // must not see them vanish under its feet.
    asio::post(shard_.io(), [self, reason] {
        // Released before the call (which keeps it alive): breaks the usual session <-> upper
        // socket cycle.
        auto listener = std::move(self->listener);
        self->listener = nullptr;
        if (listener) listener->on_close(reason);
    });
}

void Session::end_linger() {
    if (!polling_) return;
    polling_->last_answer.clear();
    polling_->close_next = false;
    polling_->hold_post = false;
    cancel_upgrade_timer();
    auto self = shared_from_this();  // the shard held the last reference
    shard_.remove(*this);
    if (auto post = std::move(polling_->held_post)) post->send(post_ok());
}

}  // namespace pulse::engine
