#include "http/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/idle_handshakes.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto as_tuple_awaitable = net::as_tuple(use_awaitable);
constexpr std::chrono::seconds kAcceptLogInterval{10};

struct HttpServer::Impl {
    ServerOptions options;
    Handler handler;
    net::io_context ioc;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    std::atomic<int> in_flight{0};
    std::atomic<bool> stopping{false};
    std::uint16_t bound_port = 0;
    // Sessions still waiting for their first request head; shared with them, whose frames may
    // be destroyed after this object's other members (when the io_context goes).
    std::shared_ptr<IdleHandshakes> waiting = std::make_shared<IdleHandshakes>();

    Impl(ServerOptions opts, Handler h)
        : options(std::move(opts)),
          handler(std::move(h)),
          ioc(static_cast<int>(options.io_threads)),
          acceptor(ioc) {}

    static std::string json_error(const char* message) {
        return std::string(R"({"error":")") + message + R"("})";
    }

    // The response as bytes: its head, then the body. Written by hand rather than through
    // Beast's response object and serializer: for the small answers this server gives, building
    // the field list and walking the serializer's buffer sequence cost more user CPU than the
    // rest of the answer (perf at 12,000 requests/s). The head is what Beast wrote: the status
    // line with its reason, Server, Content-Type unless empty, the extra headers with set()'s
    // rule (a later header of the same name replaces an earlier one), Connection when it differs
    // from the version's default, and Content-Length (also 0, also for 204).
    static std::string response_head(const Response& r, unsigned version, bool keep_alive) {
        std::string head;
        head.reserve(160 + r.content_type.size() + 48 * r.headers.size());
        head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        head += std::to_string(r.status);
        head += ' ';
        const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
        head.append(reason.data(), reason.size());
        head += "\r\nServer: pulse-lifecycle\r\n";
        const auto set_again_from = [&](std::size_t from, std::string_view name) {
            for (std::size_t j = from; j < r.headers.size(); ++j)
                if (beast::iequals(r.headers[j].first, name)) return true;
            return false;
        };
        if (!r.content_type.empty() && !set_again_from(0, "Content-Type"))
            head.append("Content-Type: ").append(r.content_type).append("\r\n");
        for (std::size_t i = 0; i < r.headers.size(); ++i) {
            if (set_again_from(i + 1, r.headers[i].first)) continue;
            head.append(r.headers[i].first).append(": ").append(r.headers[i].second).append("\r\n");
        }
        if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
        if (version != 10 && !keep_alive) head += "Connection: close\r\n";
        head += "Content-Length: ";
        head += std::to_string(r.body.size());
        head += "\r\n\r\n";
        return head;
    }

    // Writes the answer. Most answers fit the socket's send buffer, so they are sent at once by
    // a non-blocking send: no async operation, no deadline timer, no trip of the completion
    // through the scheduler and back into this coroutine (that machinery cost more than the
    // send itself). Only what the kernel did not take is written asynchronously, under the
    // deadline.
    awaitable<beast::error_code> write_response(beast::tcp_stream& stream, const Response& r,
                                                unsigned version, bool keep_alive) {
        const std::string head = response_head(r, version, keep_alive);
        const std::array<net::const_buffer, 2> bytes{net::buffer(head), net::buffer(r.body)};
        beast::error_code ec;
        auto& socket = stream.socket();
        if (!socket.non_blocking()) socket.non_blocking(true, ec);
        const std::size_t sent = ec ? 0 : socket.write_some(bytes, ec);
        if (!ec && sent == net::buffer_size(bytes)) co_return ec;
        if (ec && ec != net::error::would_block && ec != net::error::try_again) co_return ec;
        beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(bytes);
        rest.consume(sent);
        stream.expires_after(options.timeout);
        auto [write_ec, n] = co_await net::async_write(stream, rest, as_tuple_awaitable);
        (void)n;
        co_return write_ec;
    }

    // Suspends the session until the handler answers. The answer may come from any thread: it is
    // posted to the session's executor, which stores it and wakes the session through a timer, so
    // every Asio object is touched on that executor only. The session waits for the answer, so the
    // references into its frame stay valid for the one call that uses them; later calls of a
    // copy of `respond` do nothing. A handler that throws answers 500.
    awaitable<Response> run_handler(Request& request) {
        auto executor = co_await net::this_coro::executor;
        net::steady_timer signal(executor, net::steady_timer::time_point::max());
        Response response;
        bool answered = false;
        auto once = std::make_shared<std::atomic<bool>>(false);
        Respond respond = [executor, once, &signal, &response, &answered](Response r) {
            if (once->exchange(true)) return;
            net::post(executor, [&signal, &response, &answered, r = std::move(r)]() mutable {
                response = std::move(r);
                answered = true;
                signal.cancel();
            });
        };
        try {
            handler(std::move(request), respond);
        } catch (const std::exception& e) {
            log::error("request handler failed", {{"error", e.what()}});
            respond(Response{500, json_error("internal error")});
        }
        while (!answered) co_await signal.async_wait(as_tuple_awaitable);
        co_return response;
    }

    void count(std::atomic<std::uint64_t> ServerStats::*counter) {
        if (options.stats) ++(options.stats->*counter);
    }

    // The answer to a request that could not be read, or nothing when the peer simply left or
    // timed out (Beast's tcp_stream closes the socket on a timeout, so a slow client gets no
    // 408 line: it is cut). The connection closes either way: the rest of the stream cannot be
    // trusted to be framed correctly.
    std::optional<Response> unreadable(beast::error_code ec, bool got_some, bool in_body) {
        if (ec == beast::error::timeout) {
            if (in_body)
                count(&ServerStats::request_timeouts);
            else if (got_some)
                count(&ServerStats::header_timeouts);
            return std::nullopt;
        }
        if (ec == bhttp::error::body_limit) {
            count(&ServerStats::rejected_requests);
            return Response{413, json_error("request body too large")};
        }
        if (ec == bhttp::error::header_limit) {
            count(&ServerStats::rejected_requests);
            return Response{431, json_error("request headers too large")};
        }
        if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
            ec == net::error::operation_aborted || ec == net::error::connection_reset || !got_some)
            return std::nullopt;
        count(&ServerStats::rejected_requests);
        return Response{400, json_error("malformed HTTP request")};
    }

    // Keeps a session in `waiting` from its start until its first request head arrives (or it
    // fails or ends). A shed closes the stream on the session's executor and only while the session
    // has not left: the stream lives in the session's frame.
    class FirstHeadWait {
      public:
        FirstHeadWait(Impl& server, beast::tcp_stream& stream) {
            if (server.options.shed_idle_handshakes == 0) return;
            list_ = server.waiting;
            reachable_ = std::make_shared<beast::tcp_stream*>(&stream);
            ticket_ = list_->join([executor = stream.get_executor(), reachable = reachable_,
                                   stats = server.options.stats] {
                net::post(executor, [reachable, stats] {
                    if (!*reachable) return;  // its head came meanwhile
                    (*reachable)->close();
                    if (stats) ++stats->shed_connections;
                });
            });
        }
        ~FirstHeadWait() { end(); }
        FirstHeadWait(const FirstHeadWait&) = delete;
        FirstHeadWait& operator=(const FirstHeadWait&) = delete;

        // On the session's executor.
        void end() {
            if (!list_) return;
            *reachable_ = nullptr;
            list_->leave(ticket_);
            list_.reset();
        }

      private:
        std::shared_ptr<IdleHandshakes> list_;
        std::shared_ptr<beast::tcp_stream*> reachable_;  // null once left; session executor only
        IdleHandshakes::Ticket ticket_;
    };

    awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        FirstHeadWait first_head(*this, stream);
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
            parser.body_limit(options.body_limit);
            // The head has its own, shorter deadline: a client that drips header bytes (or
            // idles on keep-alive) holds a descriptor only that long.
            stream.expires_after(options.header_timeout);
            auto [head_ec, head_n] =
                co_await bhttp::async_read_header(stream, buffer, parser, as_tuple_awaitable);
            (void)head_n;
            first_head.end();  // from now on a request is in progress or served: never shed
            // A head read whole, but shed just before its completion ran: do not act on a request
            // whose answer cannot be sent. (A failed read is left to unreadable(), which counts
            // it; a timeout closes the socket too.)
            if (!head_ec && !stream.socket().is_open()) break;
            beast::error_code read_ec = head_ec;
            bool in_body = false;
            if (!read_ec && !parser.is_done()) {
                in_body = true;
                stream.expires_after(options.timeout);
                auto [body_ec, body_n] =
                    co_await bhttp::async_read(stream, buffer, parser, as_tuple_awaitable);
                (void)body_n;
                read_ec = body_ec;
            }
            if (read_ec) {
                auto bad = unreadable(read_ec, parser.got_some(), in_body);
                if (!bad) break;
                co_await write_response(stream, *bad, 11, false);
                break;
            }
            ++in_flight;
            auto& req = parser.get();
            Request request;
            request.method = std::string(req.method_string());
            request.target = std::string(req.target());
            request.content_type = std::string(req[bhttp::field::content_type]);
            request.origin = std::string(req[bhttp::field::origin]);
            request.cors_request_method =
                std::string(req[bhttp::field::access_control_request_method]);
            request.cors_request_headers =
                std::string(req[bhttp::field::access_control_request_headers]);
            request.authorization = std::string(req[bhttp::field::authorization]);
            request.body = std::move(req.body());
            const bool keep_alive = req.keep_alive() && !stopping.load();
            const unsigned version = req.version();
            const Response response = co_await run_handler(request);
            const auto write_ec = co_await write_response(stream, response, version, keep_alive);
            --in_flight;
            if (write_ec || !keep_alive || stopping.load()) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    // A failed accept (EMFILE/ENFILE: out of descriptors, ENOBUFS/ENOMEM) leaves the connection
    // queued, so the listener is readable again at once: retrying straight away spins a core and
    // floods the log. Pause (10 ms doubling to 1 s while it keeps failing) so that established
    // connections keep being served and free descriptors, and log one line per interval. Out of
    // descriptors, also close the oldest connections that have not sent a first request head, so
    // that silent connections cannot hold every descriptor until the head timeout.
    awaitable<void> accept_loop() {
        net::steady_timer pause(ioc);
        std::chrono::milliseconds delay{0};
        std::uint64_t suppressed = 0;
        std::chrono::steady_clock::time_point last_log{};
        for (;;) {
            // A session needs a strand only when several threads run the io_context; with one
            // (the default) the io_context's own executor serializes it for less (a strand
            // costs a type-erased copy and a queue per handler). Answers from the writer's
            // thread are posted either way.
            const net::any_io_executor session_executor =
                options.io_threads > 1 ? net::any_io_executor(net::make_strand(ioc))
                                       : net::any_io_executor(ioc.get_executor());
            auto [ec, socket] =
                co_await acceptor.async_accept(session_executor, as_tuple_awaitable);
            if (ec) {
                if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
                count(&ServerStats::accept_errors);
                count(&ServerStats::accept_pauses);
                std::size_t shedding = 0;
                if (options.shed_idle_handshakes > 0 &&
                    (ec == net::error::no_descriptors ||
                     ec == boost::system::errc::too_many_files_open_in_system))
                    shedding = waiting->shed_oldest(options.shed_idle_handshakes);
                delay = std::min(std::max(delay * 2, std::chrono::milliseconds(10)),
                                 std::chrono::milliseconds(1000));
                const auto now = std::chrono::steady_clock::now();
                if (last_log == std::chrono::steady_clock::time_point{} ||
                    now - last_log >= kAcceptLogInterval) {
                    log::warn("accept failed; pausing the listener", {{"error", ec.message()},
                                                                      {"pause_ms", delay.count()},
                                                                      {"shedding", shedding},
                                                                      {"suppressed", suppressed}});
                    last_log = now;
                    suppressed = 0;
                } else {
                    ++suppressed;
                }
                pause.expires_after(delay);
                co_await pause.async_wait(as_tuple_awaitable);
                if (stopping.load() || !acceptor.is_open()) co_return;
                continue;
            }
            delay = std::chrono::milliseconds(0);
            auto executor = socket.get_executor();
            net::co_spawn(executor, session(std::move(socket)), net::detached);
        }
    }
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
    auto& o = impl_->options;
    const std::string where = o.host + ":" + std::to_string(o.port);
    try {
        tcp::endpoint endpoint(net::ip::make_address(o.host), o.port);
        impl_->acceptor.open(endpoint.protocol());
        impl_->acceptor.set_option(net::socket_base::reuse_address(true));
        impl_->acceptor.bind(endpoint);
        impl_->acceptor.listen(net::socket_base::max_listen_connections);
        impl_->bound_port = impl_->acceptor.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
        throw ListenError("cannot listen on " + where + ": " + e.code().message());
    }
}

HttpServer::~HttpServer() {
    stop(std::chrono::milliseconds(0));
}

std::uint16_t HttpServer::port() const {
    return impl_->bound_port;
}

void HttpServer::start() {
    net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
    for (std::size_t i = 0; i < impl_->options.io_threads; ++i)
        impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void HttpServer::stop(std::chrono::milliseconds drain) {
    if (impl_->stopping.exchange(true)) return;
    net::post(impl_->ioc, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    // In-flight requests finish and are answered (with Connection: close); idle keep-alive
    // connections are simply dropped when the io_context stops.
    const auto deadline = std::chrono::steady_clock::now() + drain;
    while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    impl_->ioc.stop();
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
}

}  // namespace pulse::lifecycle::http
