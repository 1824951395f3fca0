#include "engine/websocket_connection.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "engine/exact_allocator.hpp"

namespace pulse::engine {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// Bounds of one gathered write: Asio hands at most 64 buffers to one writev, two per frame.
constexpr std::size_t max_batch_frames = 31;
constexpr std::size_t max_batch_bytes = 256 * 1024;
// How many batches may complete synchronously one inside the other before we go through Asio.
constexpr unsigned max_sync_depth = 2;
// After our close frame, how long the peer gets to answer before the socket is closed anyway.
constexpr auto close_linger = std::chrono::seconds(2);

const char* reason_phrase(unsigned status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}
}  // namespace

WsConnection::WsConnection(Stream socket, std::size_t max_message)
    : socket_(std::move(socket)), reader_(max_message) {
    // TCP_NODELAY is already set by the listener (every accepted connection has it).
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);  // read_some after readiness must never block the shard
}

WsConnection::~WsConnection() = default;

WsConnection::Occasional& WsConnection::occasional() {
    if (!occasional_) occasional_ = std::make_unique<Occasional>();
    return *occasional_;
}

bool WsConnection::occasional_output() const {
    return occasional_ && (!occasional_->control.empty() || !occasional_->direct.empty() ||
                           !occasional_->backlog.empty());
}

void WsConnection::drop_occasional_if_unused() {
    if (occasional_ && !occasional_output() && !occasional_->linger) occasional_.reset();
}

void WsConnection::accept(std::string_view client_key, std::weak_ptr<WsOwner> owner,
                          bool write_now) {
    owner_ = std::move(owner);
    occasional().control.push_back(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        ws::accept_key(client_key) + "\r\n\r\n");
    if (write_now) kick();
    do_read();
}

void WsConnection::reject(Stream socket, unsigned status, std::string body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    auto text = std::make_shared<std::string>("HTTP/1.1 " + std::to_string(status) + " " +
                                              reason_phrase(status) +
                                              "\r\nContent-Type: application/json\r\n");
    for (const auto& [k, v] : headers) *text += k + ": " + v + "\r\n";
    *text += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    *text += body;
    auto sock = std::make_shared<Stream>(std::move(socket));
    asio::async_write(*sock, asio::buffer(*text),
                      [sock, text](boost::system::error_code, std::size_t) {
                          boost::system::error_code ignored;
                          sock->shutdown(tcp::socket::shutdown_both, ignored);
                          sock->close(ignored);
                      });
}

// ---- read side ----

void WsConnection::do_read() {
    if (dead()) return;
    // Pending for most of the connection's life: exactly sized (see exact_allocator.hpp).
    socket_.async_wait(
        Stream::wait_read,
        asio::bind_allocator(ExactAllocator<void>{},
                             [self = shared_from_this()](boost::system::error_code ec) {
                                 if (ec) {
                                     self->report_closed(CloseReason::transport_close);
                                     self->finish_close();
                                     return;
                                 }
                                 self->on_readable();
                             }));
}

void WsConnection::on_readable() {
    // One buffer per shard thread, shared by every connection of that shard.
    thread_local std::array<char, 16 * 1024> buffer;
    boost::system::error_code ec;
    for (int round = 0; round < 4 && !dead(); ++round) {  // bounded: others get their turn
        const std::size_t n = socket_.read_some(asio::buffer(buffer), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) break;
        if (ec) {
            report_closed(CloseReason::transport_close);
            finish_close();
            return;
        }
        if (!on_read(std::string_view(buffer.data(), n))) return;
        if (n < buffer.size()) break;
    }
    do_read();
}

bool WsConnection::on_read(std::string_view bytes) {
    reader_.feed(bytes);
    while (auto ev = reader_.next()) {
        switch (ev->kind) {
            case ws::Event::text:
            case ws::Event::binary:
                if (closing()) break;  // the owner is gone; ignore late messages
                if (auto owner = owner_.lock())
                    owner->on_ws_message(*this, ev->payload, ev->kind == ws::Event::binary);
                break;
            case ws::Event::ping:
                occasional().control.push_back(ws::encode_frame(ws::pong, ev->payload));
                kick();
                break;
            case ws::Event::pong:
                break;
            case ws::Event::close:
                on_peer_close();
                return false;
            case ws::Event::error:
                protocol_close(ev->code, CloseReason::transport_error);
                return false;
        }
        if (dead()) return false;
    }
    return true;
}

void WsConnection::on_peer_close() {
    // The peer's close handshake: answer it (unless ours is out already) and stop reading.
    report_closed(CloseReason::transport_close);  // the owner may close or abort us in there
    if (dead()) return;
    const bool answer = !close_frame_queued();
    if (answer) {
        if (occasional_) occasional_->backlog.clear();
        occasional().control.push_back(ws::encode_close_frame(ws::close_normal));
    }
    // Before writing: once our close frame is out, the socket closes at once (no linger).
    state_ = State::peer_closed;
    if (answer) kick();
    if (!dead() && !writing_ && !(occasional_ && !occasional_->control.empty())) finish_close();
}

void WsConnection::queue_close_frame(std::uint16_t code) {
    state_ = State::close_queued;
    occasional().control.push_back(ws::encode_close_frame(code));
}

void WsConnection::protocol_close(std::uint16_t code, CloseReason reason) {
    report_closed(reason);  // the owner may close or abort us in there
    if (dead()) return;
    if (!close_frame_queued()) {
        occasional().backlog.clear();
        occasional().direct.clear();
        queue_close_frame(code);
        kick();
    }
}

void WsConnection::report_closed(CloseReason reason) {
    if (reported_) return;
    reported_ = true;
    auto owner = owner_.lock();
    owner_.reset();
    if (owner) owner->on_ws_closed(*this, reason);
}

// ---- write side ----

void WsConnection::kick() {
    if (!writing_ && !dead()) start_write(nullptr);
}

void WsConnection::send_direct(std::shared_ptr<const std::string> packet) {
    occasional().direct.push(Outgoing{std::move(packet), false});
    kick();
}

void WsConnection::write_from(PacketQueue& queue) {
    if (writing_ || closing()) return;
    start_write(&queue);
}

// The vectors a batch is built in. A write that completes synchronously (the usual case) needs
// them only for the duration of start_write, so one spare set per shard thread is lent to the
// writing connection and taken back at once: an idle connection holds no write vectors at all
// (one null pointer). Only a write that waits for the kernel keeps a set until it completes.
struct WsConnection::WriteBatch {
    std::vector<std::string> control;
    std::vector<Outgoing> flight;
    std::vector<std::array<char, ws::max_header_size>> headers;
    std::vector<boost::asio::const_buffer> buffers;
};

namespace {
thread_local std::unique_ptr<WsConnection::WriteBatch> spare_batch;
}  // namespace

void WsConnection::borrow_write_buffers() {
    if (batch_) return;
    batch_ = spare_batch ? std::move(spare_batch) : std::make_unique<WriteBatch>();
}

void WsConnection::release_write_buffers() {
    if (!batch_) return;
    batch_->control.clear();
    batch_->flight.clear();
    batch_->buffers.clear();
    if (!spare_batch)
        spare_batch = std::move(batch_);
    else
        batch_.reset();
}

void WsConnection::start_write(PacketQueue* source) {
    if (!gather(source)) {
        release_write_buffers();
        if (state_ == State::flushing && !occasional_output()) {
            // The backlog is out: now our close frame.
            queue_close_frame(ws::close_normal);
            start_write(nullptr);
        }
        return;
    }
    frame();
    writing_ = true;
    // Depth-bounded: finishing a batch may start the next one (on_write_done -> owner ->
    // write_from), which must not recurse without end.
    if (sync_depth_ < max_sync_depth && write_now()) return;
    write_async();
}

bool WsConnection::gather(PacketQueue* source) {
    borrow_write_buffers();
    batch_->control.clear();
    batch_->flight.clear();
    batch_->buffers.clear();
    std::size_t bytes = 0;
    // The batch's control vector was cleared above: after the swap, ours is empty.
    if (occasional_) batch_->control.swap(occasional_->control);
    // Move packets in order: direct ones first (they answer the probe that precedes any upgrade),
    // then the backlog of a closing connection, then the owner's queue.
    auto take = [&](PacketQueue& from) {
        while (!from.empty() && batch_->flight.size() < max_batch_frames &&
               bytes < max_batch_bytes) {
            batch_->flight.push_back(from.pop());
            bytes += batch_->flight.back().data->size();
        }
    };
    if (occasional_) {
        take(occasional_->direct);
        take(occasional_->backlog);
        drop_occasional_if_unused();
    }
    if (source) take(*source);
    in_flight_bytes_ = bytes;
    return !batch_->control.empty() || !batch_->flight.empty();
}

void WsConnection::frame() {
    for (const auto& c : batch_->control) batch_->buffers.push_back(asio::buffer(c));
    if (batch_->headers.size() < batch_->flight.size())
        batch_->headers.resize(batch_->flight.size());
    for (std::size_t i = 0; i < batch_->flight.size(); ++i) {
        const std::string& data = *batch_->flight[i].data;
        const std::size_t n =
            ws::encode_header(batch_->headers[i].data(),
                              batch_->flight[i].binary ? ws::binary : ws::text, data.size());
        batch_->buffers.push_back(asio::buffer(batch_->headers[i].data(), n));
        batch_->buffers.push_back(asio::buffer(data));
    }
}

bool WsConnection::write_now() {
    // Most writes fit in the socket's send buffer: hand them to the kernel now (the socket is
    // non-blocking) and skip Asio's write operation, its reactor registration and the posted
    // completion. Only what the kernel refused waits for writability. Errors take the async path,
    // so they are reported from a fresh handler (never re-entering the owner from inside its own
    // call into us).
    boost::system::error_code ec;
    const std::size_t total = asio::buffer_size(batch_->buffers);
    const std::size_t n = socket_.write_some(batch_->buffers, ec);
    if (!ec && n == total) {
        writing_ = false;
        in_flight_bytes_ = 0;
        release_write_buffers();
        ++sync_depth_;
        on_write_done();
        --sync_depth_;
        return true;
    }
    if (!ec || ec == asio::error::would_block || ec == asio::error::try_again)
        consume_written(ec ? 0 : n);
    return false;
}

void WsConnection::write_async() {
    asio::async_write(socket_, batch_->buffers,
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->writing_ = false;
                          self->in_flight_bytes_ = 0;
                          self->release_write_buffers();
                          if (ec) {
                              self->report_closed(CloseReason::transport_error);
                              self->finish_close();
                              return;
                          }
                          self->on_write_done();
                      });
}

void WsConnection::consume_written(std::size_t n) {
    std::size_t drop = 0;
    while (drop < batch_->buffers.size() && n >= batch_->buffers[drop].size())
        n -= batch_->buffers[drop++].size();
    batch_->buffers.erase(batch_->buffers.begin(),
                          batch_->buffers.begin() + static_cast<std::ptrdiff_t>(drop));
    if (n > 0 && !batch_->buffers.empty()) batch_->buffers.front() += n;
}

void WsConnection::on_write_done() {
    release_write_buffers();  // normally done already by whoever completed the write
    switch (state_) {
        case State::closed:
            return;
        case State::open:
            if (occasional_output()) return start_write(nullptr);
            if (auto owner = owner_.lock()) owner->on_ws_drained(*this);
            return;
        case State::flushing:
            return start_write(nullptr);  // more backlog, or our close frame
        case State::peer_closed:
            if (occasional_output()) return start_write(nullptr);
            return finish_close();  // both close frames exchanged
        case State::close_queued:
            if (occasional_output()) return start_write(nullptr);
            linger();
            return;
    }
}

void WsConnection::linger() {
    // Our close frame is out: half-close and give the peer a moment to answer with its own.
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    auto& timer = occasional().linger;
    timer = std::make_unique<asio::steady_timer>(socket_.get_executor());
    timer->expires_after(close_linger);
    timer->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->finish_close();
    });
}

void WsConnection::close(std::uint16_t code, PacketQueue rest) {
    owner_.reset();
    reported_ = true;
    if (closing()) return;
    state_ = State::flushing;
    if (!rest.empty()) occasional().backlog.append(rest);
    if (code != ws::close_normal) {
        // An error close carries no backlog: the code tells why.
        if (occasional_) occasional_->backlog.clear();
        queue_close_frame(code);
    }
    kick();
}

void WsConnection::abort() {
    owner_.reset();
    reported_ = true;
    finish_close();
}

void WsConnection::finish_close() {
    if (dead()) return;
    state_ = State::closed;
    boost::system::error_code ignored;
    if (occasional_ && occasional_->linger) occasional_->linger->cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace pulse::engine
