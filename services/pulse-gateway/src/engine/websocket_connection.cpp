#include "engine/websocket_connection.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "engine/exact_allocator.hpp"

namespace pulse::engine {

namespace net = boost::asio;
using tcp = net::ip::tcp;

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

WsConnection::WsConnection(tcp::socket socket, std::size_t max_message)
    : socket_(std::move(socket)), reader_(max_message) {
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);  // read_some after readiness must never block the shard
}

WsConnection::~WsConnection() = default;

void WsConnection::accept(std::string_view client_key, std::weak_ptr<WsOwner> owner) {
    owner_ = std::move(owner);
    control_.push_back(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        ws::accept_key(client_key) + "\r\n\r\n");
    kick();
    do_read();
}

void WsConnection::reject(tcp::socket socket, unsigned status, std::string body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    auto text = std::make_shared<std::string>("HTTP/1.1 " + std::to_string(status) + " " +
                                              reason_phrase(status) +
                                              "\r\nContent-Type: application/json\r\n");
    for (const auto& [k, v] : headers) *text += k + ": " + v + "\r\n";
    *text += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    *text += body;
    auto sock = std::make_shared<tcp::socket>(std::move(socket));
    net::async_write(*sock, net::buffer(*text),
                     [sock, text](boost::system::error_code, std::size_t) {
                         boost::system::error_code ignored;
                         sock->shutdown(tcp::socket::shutdown_both, ignored);
                         sock->close(ignored);
                     });
}

// ---- read side ----

void WsConnection::do_read() {
    if (dead_) return;
    // Pending for most of the connection's life: exactly sized (see exact_allocator.hpp).
    socket_.async_wait(
        tcp::socket::wait_read,
        net::bind_allocator(ExactAllocator<void>{},
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
    for (int round = 0; round < 4 && !dead_; ++round) {  // bounded: others get their turn
        const std::size_t n = socket_.read_some(net::buffer(buffer), ec);
        if (ec == net::error::would_block || ec == net::error::try_again) break;
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
                if (closing_) break;  // the owner is gone; ignore late messages
                if (auto owner = owner_.lock())
                    owner->on_ws_message(*this, ev->payload, ev->kind == ws::Event::binary);
                break;
            case ws::Event::ping:
                control_.push_back(ws::encode_frame(ws::pong, ev->payload));
                kick();
                break;
            case ws::Event::pong:
                break;
            case ws::Event::close:
                // The peer's close handshake: answer it (if we have not started one) and stop.
                peer_closed_ = true;
                report_closed(CloseReason::transport_close);
                if (!close_queued_) {
                    closing_ = true;
                    close_queued_ = true;
                    backlog_.clear();
                    control_.push_back(ws::encode_close_frame(ws::close_normal));
                    kick();
                }
                if (!writing_ && control_.empty()) finish_close();
                return false;
            case ws::Event::error:
                protocol_close(ev->code, CloseReason::transport_error);
                return false;
        }
        if (dead_) return false;
    }
    return true;
}

void WsConnection::protocol_close(std::uint16_t code, CloseReason reason) {
    report_closed(reason);
    if (!close_queued_) {
        closing_ = true;
        close_queued_ = true;
        backlog_.clear();
        direct_.clear();
        control_.push_back(ws::encode_close_frame(code));
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
    if (!writing_ && !dead_) start_write(nullptr);
}

void WsConnection::send_direct(std::shared_ptr<const std::string> packet) {
    direct_.push(Outgoing{std::move(packet), false});
    kick();
}

void WsConnection::write_from(PacketQueue& queue) {
    if (writing_ || dead_ || closing_) return;
    start_write(&queue);
}

namespace {
// The vectors a batch is built in. A write that completes synchronously (the usual case) needs
// them only for the duration of start_write, so they live here, one set per shard thread, and an
// idle connection holds no write capacity at all. Only a write that waits for the kernel keeps a
// set of its own until it completes.
struct WriteScratch {
    std::vector<std::string> control;
    std::vector<Outgoing> flight;
    std::vector<std::array<char, ws::max_header_size>> headers;
    std::vector<boost::asio::const_buffer> buffers;
};
thread_local WriteScratch write_scratch;
}  // namespace

void WsConnection::borrow_write_buffers() {
    if (buffers_.capacity() != 0 || write_scratch.buffers.capacity() == 0) return;
    control_flight_.swap(write_scratch.control);
    flight_.swap(write_scratch.flight);
    headers_.swap(write_scratch.headers);
    buffers_.swap(write_scratch.buffers);
}

void WsConnection::release_write_buffers() {
    control_flight_.clear();
    flight_.clear();
    buffers_.clear();
    if (write_scratch.buffers.capacity() < buffers_.capacity()) {
        control_flight_.swap(write_scratch.control);
        flight_.swap(write_scratch.flight);
        headers_.swap(write_scratch.headers);
        buffers_.swap(write_scratch.buffers);
    }
    // Whatever capacity is left (the scratch already had more) is freed, not kept per connection.
    std::vector<std::string>().swap(control_flight_);
    std::vector<Outgoing>().swap(flight_);
    std::vector<std::array<char, ws::max_header_size>>().swap(headers_);
    std::vector<boost::asio::const_buffer>().swap(buffers_);
}

void WsConnection::start_write(PacketQueue* source) {
    borrow_write_buffers();
    control_flight_.clear();
    flight_.clear();
    buffers_.clear();
    std::size_t bytes = 0;
    control_flight_.swap(control_);  // control_ was cleared with control_flight_: now empty
    // Move packets in order: direct ones first (they answer the probe that precedes any upgrade),
    // then the backlog of a closing connection, then the owner's queue.
    auto take = [&](PacketQueue& from) {
        while (!from.empty() && flight_.size() < max_batch_frames && bytes < max_batch_bytes) {
            flight_.push_back(from.pop());
            bytes += flight_.back().data->size();
        }
    };
    take(direct_);
    take(backlog_);
    if (source) take(*source);

    if (control_flight_.empty() && flight_.empty()) {
        release_write_buffers();
        if (closing_ && !close_queued_ && backlog_.empty()) {
            close_queued_ = true;
            control_.push_back(ws::encode_close_frame(ws::close_normal));
            start_write(nullptr);
        }
        return;
    }
    for (const auto& c : control_flight_) buffers_.push_back(net::buffer(c));
    if (headers_.size() < flight_.size()) headers_.resize(flight_.size());
    for (std::size_t i = 0; i < flight_.size(); ++i) {
        const std::string& data = *flight_[i].data;
        const std::size_t n = ws::encode_header(
            headers_[i].data(), flight_[i].binary ? ws::binary : ws::text, data.size());
        buffers_.push_back(net::buffer(headers_[i].data(), n));
        buffers_.push_back(net::buffer(data));
    }
    in_flight_bytes_ = bytes;
    writing_ = true;
    if (sync_depth_ < max_sync_depth) {
        // Most writes fit in the socket's send buffer: hand them to the kernel now (the socket is
        // non-blocking) and skip Asio's write operation, its reactor registration and the posted
        // completion. Only what the kernel refused waits for writability. Errors take the async
        // path below, so they are reported from a fresh handler as before (never re-entering the
        // owner from inside its own call into us). Depth-bounded: finishing a batch may start the
        // next one (on_write_done -> owner -> write_from).
        boost::system::error_code ec;
        const std::size_t total = net::buffer_size(buffers_);
        const std::size_t n = socket_.write_some(buffers_, ec);
        if (!ec && n == total) {
            writing_ = false;
            in_flight_bytes_ = 0;
            release_write_buffers();
            ++sync_depth_;
            on_write_done();
            --sync_depth_;
            return;
        }
        if (!ec || ec == net::error::would_block || ec == net::error::try_again)
            consume_written(ec ? 0 : n);
    }
    net::async_write(socket_, buffers_,
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
    while (drop < buffers_.size() && n >= buffers_[drop].size()) n -= buffers_[drop++].size();
    buffers_.erase(buffers_.begin(), buffers_.begin() + static_cast<std::ptrdiff_t>(drop));
    if (n > 0 && !buffers_.empty()) buffers_.front() += n;
}

void WsConnection::on_write_done() {
    control_flight_.clear();
    flight_.clear();
    if (dead_) return;
    if (!control_.empty() || !direct_.empty() || !backlog_.empty()) {
        start_write(nullptr);
        return;
    }
    if (closing_) {
        if (!close_queued_) {
            start_write(nullptr);  // queues and writes the close frame
            return;
        }
        if (peer_closed_) {
            finish_close();  // both close frames exchanged
            return;
        }
        // Close frame sent: half-close and give the peer a moment to answer.
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_send, ignored);
        linger_ = std::make_unique<net::steady_timer>(socket_.get_executor());
        linger_->expires_after(close_linger);
        linger_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->finish_close();
        });
        return;
    }
    if (auto owner = owner_.lock()) owner->on_ws_drained(*this);
}

void WsConnection::close(std::uint16_t code, PacketQueue rest) {
    owner_.reset();
    reported_ = true;
    if (dead_ || closing_) return;
    closing_ = true;
    backlog_.append(rest);
    if (code != ws::close_normal) {
        // An error close carries no backlog: the code tells why.
        backlog_.clear();
        close_queued_ = true;
        control_.push_back(ws::encode_close_frame(code));
    }
    kick();
}

void WsConnection::abort() {
    owner_.reset();
    reported_ = true;
    finish_close();
}

void WsConnection::finish_close() {
    if (dead_) return;
    dead_ = true;
    boost::system::error_code ignored;
    if (linger_) linger_->cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace pulse::engine
