#include "http/http_server.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "pulse/log.hpp"

namespace pulse::lifecycle::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto as_tuple_awaitable = net::as_tuple(use_awaitable);

struct HttpServer::Impl {
    ServerOptions options;
    Handler handler;
    net::io_context ioc;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    std::atomic<int> in_flight{0};
    std::atomic<bool> stopping{false};
    std::uint16_t bound_port = 0;

    Impl(ServerOptions opts, Handler h)
        : options(std::move(opts)),
          handler(std::move(h)),
          ioc(static_cast<int>(options.io_threads)),
          acceptor(ioc) {}

    static std::string json_error(const char* message) {
        return std::string(R"({"error":")") + message + R"("})";
    }

    bhttp::response<bhttp::string_body> to_beast(Response r, unsigned version, bool keep_alive) {
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
        res.set(bhttp::field::server, "pulse-lifecycle");
        res.set(bhttp::field::content_type, r.content_type);
        for (auto& [name, value] : r.headers) res.set(name, value);
        res.body() = std::move(r.body);
        res.keep_alive(keep_alive);
        res.prepare_payload();
        return res;
    }

    // Runs the handler right here, on the I/O thread that read the request: it blocks that thread
    // for the PostgreSQL call, and the other I/O threads keep serving. Handing it to a worker pool
    // and back cost two thread wake-ups per request (~30 us CPU per event on one core), and gave
    // commands no concurrency: they serialize on the publish order (see domain/stream_service).
    Response run_handler(const Request& request) {
        try {
            return handler(request);
        } catch (const std::exception& e) {
            log::error("request handler failed", {{"error", e.what()}});
            return Response{500, json_error("internal error")};
        }
    }

    awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(16 * 1024);
            parser.body_limit(options.body_limit);
            stream.expires_after(options.timeout);
            auto [read_ec, n] =
                co_await bhttp::async_read(stream, buffer, parser, as_tuple_awaitable);
            (void)n;
            if (read_ec) {
                // A malformed or oversized request still gets a JSON answer, then the connection
                // closes (the rest of the stream cannot be trusted to be framed correctly).
                Response bad;
                if (read_ec == bhttp::error::body_limit)
                    bad = {413, json_error("request body too large")};
                else if (read_ec == bhttp::error::header_limit)
                    bad = {431, json_error("request headers too large")};
                else if (read_ec != bhttp::error::end_of_stream && read_ec != net::error::eof &&
                         read_ec != beast::error::timeout &&
                         read_ec != net::error::operation_aborted &&
                         read_ec != net::error::connection_reset && parser.got_some())
                    bad = {400, json_error("malformed HTTP request")};
                else
                    break;
                auto res = to_beast(std::move(bad), 11, false);
                stream.expires_after(options.timeout);
                co_await bhttp::async_write(stream, res, as_tuple_awaitable);
                break;
            }
            ++in_flight;
            auto& req = parser.get();
            Request request{std::string(req.method_string()), std::string(req.target()),
                            std::string(req[bhttp::field::content_type]), std::move(req.body())};
            const bool keep_alive = req.keep_alive() && !stopping.load();
            const unsigned version = req.version();
            Response response = run_handler(request);
            auto res = to_beast(std::move(response), version, keep_alive);
            stream.expires_after(options.timeout);
            auto [write_ec, written] = co_await bhttp::async_write(stream, res, as_tuple_awaitable);
            (void)written;
            --in_flight;
            if (write_ec || !keep_alive || stopping.load()) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor.async_accept(net::make_strand(ioc), as_tuple_awaitable);
            if (ec) {
                if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
                log::warn("accept failed", {{"error", ec.message()}});
                continue;
            }
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
