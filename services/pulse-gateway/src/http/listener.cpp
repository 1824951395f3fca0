#include "http/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <vector>

#include <pulse/log.hpp>

#include "http/endpoint.hpp"
#include "http/idle_handshakes.hpp"
#include "http/request_head.hpp"
#include "http/router.hpp"
#include "http/upgrade.hpp"
#include "net/acceptor.hpp"
#include "net/io_shards.hpp"
#include "net/shard_socket.hpp"

namespace pulse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Bytes a client may pipeline behind a pending long poll before it is treated as abusive.
constexpr std::size_t max_pipelined_bytes = 64 * 1024;

class Connection;

// The endpoint's handle on a request of this connection (see endpoint.hpp).
class ConnectionReply final : public Reply {
  public:
    ConnectionReply(std::weak_ptr<Connection> conn, asio::any_io_executor ex)
        : conn_(std::move(conn)), ex_(std::move(ex)) {}
    void send(Response response) override;

  private:
    std::weak_ptr<Connection> conn_;
    asio::any_io_executor ex_;
    std::atomic<bool> sent_{false};
};

class Connection : public std::enable_shared_from_this<Connection>, public IdleHandshakes::Member {
  public:
    // `peer` comes from accept() itself: no getpeername() per connection.
    Connection(net::ShardSocket socket, const tcp::endpoint& peer, std::size_t shard,
               const Router& router, const ListenerOptions& options,
               std::atomic<std::uint64_t>& header_timeouts, std::shared_ptr<IdleHandshakes> waiting)
        : stream_(std::move(socket)),
          shard_(shard),
          router_(router),
          options_(options),
          header_timeouts_(header_timeouts),
          peer_(peer.address()),
          waiting_(std::move(waiting)) {
        boost::system::error_code ec;
        stream_.socket().set_option(tcp::no_delay(true), ec);
    }
    ~Connection() { leave_waiting(); }

    void start() {
        waiting_position_ = waiting_->add(this);
        do_read();
    }

    // Out of descriptors: this connection is among the oldest still without a first head.
    void shed() override {
        waiting_position_.reset();  // the list let go of it already
        close();
    }

    // From ConnectionReply, on this connection's thread.
    void on_reply(const Reply* reply, Response response) {
        if (!awaiting_ || reply != pending_.get()) return;
        awaiting_ = false;
        if (watching_) {
            // A read is watching the socket for a hang-up: stop it, answer in its handler.
            ready_ = std::move(response);
            beast::get_lowest_layer(stream_).socket().cancel();
            return;
        }
        write_response(std::move(response));
    }

  private:
    void do_read() {
        head_ = false;  // a refusal of the next request must not inherit this one's method
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
        // No limit while the header is read: Beast checks a Content-Length against the limit
        // only there, before the request's target (and so its limit) is known. on_header applies
        // the right one.
        parser_->body_limit(boost::none);
        if (!served_one_ || buffer_.size() > 0) return read_header();
        // Keep-alive: the next request may take idle_timeout to begin; its head then has
        // header_timeout like the first one.
        stream_.expires_after(options_.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    if (ec) return self->close();
                                    self->buffer_.commit(n);
                                    self->read_header();
                                });
    }

    void read_header() {
        stream_.expires_after(options_.header_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     self->on_header(ec);
                                 });
    }

    void on_header(beast::error_code ec) {
        leave_waiting();  // a head (or a failure) came: no longer an idle handshake
        if (ec == beast::error::timeout) header_timeouts_.fetch_add(1, std::memory_order_relaxed);
        if (ec) return refuse(ec);
        served_one_ = true;
        auto& req = parser_->get();
        request_ = request_of(req);
        request_.remote_address = client_address(peer_, request_.headers, options_.trusted_proxies);
        keep_alive_ = req.keep_alive();
        head_ = req.method() == bhttp::verb::head;
        endpoint_ = router_.endpoint_for(request_.path);

        if (endpoint_ && req.method() == bhttp::verb::get && is_websocket_upgrade(request_)) {
            // The endpoint takes the socket over (WebSocket or a refusal written by hand).
            stream_.expires_never();
            endpoint_->handle_upgrade(shard_, std::move(request_), stream_.release_socket());
            return;
        }
        const std::uint64_t limit = endpoint_ ? endpoint_->body_limit() : options_.body_limit;
        parser_->body_limit(limit);  // enforced per chunk of a chunked body
        if (const auto length = parser_->content_length(); length && *length > limit)
            return on_body(bhttp::error::body_limit);  // before any 100 Continue
        if (beast::iequals(request_.header("expect"), "100-continue")) {
            // curl and some HTTP clients wait (about a second) for this before sending a body.
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            stream_.expires_after(options_.io_timeout);
            asio::async_write(stream_, asio::buffer(go_on.data(), go_on.size()),
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec) return self->close();
                                  self->read_body();
                              });
            return;
        }
        read_body();
    }

    void read_body() {
        stream_.expires_after(options_.io_timeout);
        bhttp::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec == bhttp::error::body_limit) {
            keep_alive_ = false;  // the rest of the body is still on the wire
            if (endpoint_) {
                await_endpoint([&](auto reply) {
                    endpoint_->handle_oversized(shard_, std::move(request_), std::move(reply));
                });
            } else {
                Response r = json_response(413, R"({"error":"Payload Too Large"})");
                write_response(std::move(r));
            }
            return;
        }
        if (ec) return refuse(ec);
        request_.body = parser_->release().body();
        if (endpoint_) {
            await_endpoint([&](auto reply) {
                endpoint_->handle_request(shard_, std::move(request_), std::move(reply));
            });
            return;
        }
        write_response(router_.handle(request_));
    }

    template <class Hand>
    void await_endpoint(Hand&& hand) {
        pending_ = std::make_shared<ConnectionReply>(weak_from_this(), stream_.get_executor());
        pending_query_ = request_.query;
        awaiting_ = true;
        ready_.reset();
        auto self = shared_from_this();
        hand(pending_);  // may answer synchronously (on_reply runs inline)
        if (awaiting_) watch();
    }

    // While the endpoint holds the request (a long poll), keep a read pending so that a client
    // hanging up is noticed: the reference server closes the session on a cancelled GET.
    void watch() {
        watching_ = true;
        stream_.expires_never();
        auto space = buffer_.prepare(4096);
        stream_.async_read_some(space,
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->on_watch(ec, n);
                                });
    }

    void on_watch(beast::error_code ec, std::size_t n) {
        watching_ = false;
        if (n > 0) buffer_.commit(n);  // pipelined bytes of the next request
        if (ready_) {
            auto response = std::move(*ready_);
            ready_.reset();
            write_response(std::move(response));
            return;
        }
        if (!awaiting_) return;
        if (ec || buffer_.size() > max_pipelined_bytes) {
            awaiting_ = false;
            if (endpoint_) endpoint_->request_aborted(pending_query_, pending_.get());
            pending_.reset();
            return close();
        }
        watch();
    }

    // A request that cannot be read gets a status line and a JSON reason before the close
    // (request_head.hpp: 414, 431 or 400). A peer that left or timed out gets nothing (Beast
    // closes the socket on a timeout).
    void refuse(beast::error_code ec) {
        if (!parser_) return close();
        const auto data = buffer_.cdata();
        const unsigned status = refusal_status(
            ec, *parser_, std::string_view(static_cast<const char*>(data.data()), data.size()),
            options_.header_limit);
        if (status == 0) return close();
        keep_alive_ = false;
        const char* body = status == 414   ? R"({"error":"URI Too Long"})"
                           : status == 431 ? R"({"error":"Request Header Fields Too Large"})"
                                           : R"({"error":"Bad Request"})";
        write_response(json_response(status, body));
    }

    // Handlers answer HEAD as they answer GET; the listener drops the body here, so the answer
    // keeps the GET's headers, Content-Length included (RFC 9110 9.3.2).
    void write_response(Response r) {
        pending_.reset();
        const bool keep = keep_alive_ && !r.close_connection;
        if (head_) {
            auto res = std::make_shared<bhttp::response<bhttp::empty_body>>();
            fill_header(*res, r, keep);
            if (r.status != 304 && r.status != 204) res->content_length(r.body.size());
            return send(std::move(res), keep);
        }
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
        fill_header(*res, r, keep);
        res->body() = std::move(r.body);
        res->prepare_payload();
        send(std::move(res), keep);
    }

    template <class Body>
    static void fill_header(bhttp::response<Body>& res, const Response& r, bool keep) {
        res.version(11);
        res.result(static_cast<bhttp::status>(r.status));
        if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
        for (const auto& [k, v] : r.headers) res.set(k, v);
        res.keep_alive(keep);
    }

    template <class Message>
    void send(std::shared_ptr<Message> res, bool keep) {
        stream_.expires_after(options_.io_timeout);
        bhttp::async_write(
            stream_, *res,
            [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
                if (ec || !keep) return self->close();
                self->do_read();
            });
    }

    void leave_waiting() {
        if (!waiting_position_) return;
        waiting_->remove(*waiting_position_);
        waiting_position_.reset();
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    // On the shard's own executor type, so that an upgrade hands the endpoint this very socket.
    beast::basic_stream<tcp, asio::io_context::executor_type> stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::size_t shard_;
    const Router& router_;
    const ListenerOptions& options_;
    std::atomic<std::uint64_t>& header_timeouts_;
    asio::ip::address peer_;
    // This shard's list of connections without a first head, and this one's place in it.
    std::shared_ptr<IdleHandshakes> waiting_;
    std::optional<IdleHandshakes::Position> waiting_position_;
    bool served_one_ = false;  // a request head was read: later ones may wait idle_timeout
    Request request_;
    bool keep_alive_ = true;
    bool head_ = false;  // the request being answered is a HEAD
    Endpoint* endpoint_ = nullptr;

    std::shared_ptr<ConnectionReply> pending_;
    std::string pending_query_;
    bool awaiting_ = false;
    bool watching_ = false;
    std::optional<Response> ready_;
};

void ConnectionReply::send(Response response) {
    if (sent_.exchange(true)) return;
    asio::dispatch(ex_, [conn = conn_, self = this, response = std::move(response)]() mutable {
        if (auto c = conn.lock()) c->on_reply(self, std::move(response));
    });
}

}  // namespace

struct Listener::Impl : std::enable_shared_from_this<Listener::Impl> {
    Impl(net::IoShards& s, const Router& r, ListenerOptions o)
        : shards(s), router(r), options(std::move(o)) {
        for (std::size_t i = 0; i < shards.size(); ++i)
            waiting.push_back(std::make_shared<IdleHandshakes>());
    }

    // Connections refer to the router and options: accepted ones are started only while the
    // listener exists.
    void start_connection(net::ShardSocket socket, const tcp::endpoint& peer, std::size_t shard) {
        std::make_shared<Connection>(std::move(socket), peer, shard, router, options,
                                     header_timeouts, waiting[shard])
            ->start();
    }

    // On the acceptor's thread, after accept() ran out of descriptors: each shard closes its
    // oldest connections still without a first head, so that the queued ones (a real client
    // among them) get a descriptor now rather than after the head timeout.
    void shed_idle() {
        if (options.shed_idle_per_shard == 0) return;
        for (std::size_t i = 0; i < shards.size(); ++i)
            asio::post(shards.at(i), [list = waiting[i], n = options.shed_idle_per_shard] {
                list->shed_oldest(n);
            });
        const auto now = std::chrono::steady_clock::now();
        if (last_shed_log != std::chrono::steady_clock::time_point{} &&
            now - last_shed_log < std::chrono::seconds(10))
            return;
        last_shed_log = now;
        pulse::log::warn(
            "out of descriptors; shedding the oldest connections without a request",
            {{"per_shard", options.shed_idle_per_shard}, {"shed_before", shed_total()}});
    }

    std::uint64_t shed_total() const {
        std::uint64_t total = 0;
        for (const auto& list : waiting) total += list->shed_total();
        return total;
    }

    net::IoShards& shards;
    const Router& router;
    const ListenerOptions options;
    std::atomic<std::uint64_t> header_timeouts{0};
    std::vector<std::shared_ptr<IdleHandshakes>> waiting;   // one per shard
    std::chrono::steady_clock::time_point last_shed_log{};  // acceptor's thread only
    std::optional<net::Acceptor> acceptor;
};

Listener::Listener(net::IoShards& shards, const Router& router, ListenerOptions options)
    : impl_(std::make_shared<Impl>(shards, router, std::move(options))) {
    impl_->acceptor.emplace(
        shards, impl_->options.host, impl_->options.port,
        [weak = std::weak_ptr<Impl>(impl_)](net::ShardSocket socket, const tcp::endpoint& peer,
                                            std::size_t shard) {
            if (auto impl = weak.lock()) impl->start_connection(std::move(socket), peer, shard);
        });
    impl_->acceptor->on_out_of_descriptors([weak = std::weak_ptr<Impl>(impl_)] {
        if (auto impl = weak.lock()) impl->shed_idle();
    });
}

Listener::~Listener() = default;

std::uint16_t Listener::port() const {
    return impl_->acceptor->port();
}

void Listener::start() {
    impl_->acceptor->start();
}

void Listener::stop() {
    impl_->acceptor->stop();
}

std::uint64_t Listener::accept_errors() const {
    return impl_->acceptor->accept_errors();
}

std::uint64_t Listener::shed_connections() const {
    return impl_->shed_total();
}

std::uint64_t Listener::header_timeouts() const {
    return impl_->header_timeouts.load(std::memory_order_relaxed);
}

}  // namespace pulse::http
