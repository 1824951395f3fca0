#include "engine/server.hpp"

#include <sys/random.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <thread>

#include <pulse/log.hpp>

#include "engine/request_check.hpp"
#include "engine/server_impl.hpp"
#include "engine/session.hpp"
#include "engine/websocket_connection.hpp"
#include "http/upgrade.hpp"
#include "net/io_shards.hpp"

namespace pulse::engine {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// URL-safe alphabet (like the reference server's base64id): a sid is used raw in query strings.
constexpr std::string_view sid_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t sid_length = 20;

}  // namespace

const char* to_string(CloseReason reason) {
    // In CloseReason's order; the names are the reference server's close reasons.
    static constexpr std::array<const char*, 6> names{"transport close", "transport error",
                                                      "ping timeout",    "send overflow",
                                                      "server close",    "server shutdown"};
    const auto index = static_cast<std::size_t>(reason);
    return index < names.size() ? names[index] : "unknown";
}

// ---- Server ----

Server::Server(net::IoShards& shards, ServerOptions options, ConnectionHandler on_connection)
    : impl_(std::make_unique<Impl>(shards, std::move(options), std::move(on_connection))) {}

Server::~Server() = default;

const ServerOptions& Server::options() const {
    return impl_->options;
}
std::size_t Server::session_count() const {
    return impl_->sessions.load();
}
ServerStats Server::stats() const {
    ServerStats out;
    auto get = [](const std::atomic<std::uint64_t>& c) {
        return c.load(std::memory_order_relaxed);
    };
    for (const auto& shard : impl_->shards) {
        const ShardStats& s = shard->stats();
        out.sessions_opened += get(s.opened);
        out.origin_refusals += get(s.origin_refusals);
        out.address_refusals += get(s.address_refusals);
        out.bytes_queued += get(s.bytes);
        out.polling_sessions += get(s.polling);
        out.websocket_sessions += get(s.websocket);
        for (std::size_t i = 0; i < kCloseReasons; ++i) out.closes[i] += get(s.closes[i]);
    }
    return out;
}

void Server::shutdown() {
    Impl& impl = *impl_;
    impl.stopping = true;
    for (auto& shard : impl.shards) {
        asio::post(shard->io(), [&shard = *shard] {
            // A copy: each shutdown() removes its session from the map.
            for (auto& s : shard.sessions()) s->shutdown();
        });
    }
}

namespace {
// Closes one shard's sessions a slice at a time, so that their clients do not all reconnect (to
// the other replicas) in the same millisecond.
struct Drainer : std::enable_shared_from_this<Drainer> {
    Drainer(asio::any_io_executor executor, std::vector<std::weak_ptr<Session>> open,
            std::chrono::milliseconds over)
        : timer(executor), sessions(std::move(open)) {
        steps = std::max<std::size_t>(1, static_cast<std::size_t>(over / kStep));
    }
    static constexpr std::chrono::milliseconds kStep{50};

    void step() {
        ++done_steps;
        const std::size_t until = sessions.size() * done_steps / steps;
        for (; next < until; ++next)
            if (auto s = sessions[next].lock()) s->shutdown();
        if (next >= sessions.size()) return;
        timer.expires_after(kStep);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->step();
        });
    }

    asio::steady_timer timer;
    std::vector<std::weak_ptr<Session>> sessions;
    std::size_t steps = 1;
    std::size_t done_steps = 0;
    std::size_t next = 0;
};
}  // namespace

void Server::drain(std::chrono::milliseconds over) {
    Impl& impl = *impl_;
    impl.stopping = true;
    for (auto& shard : impl.shards) {
        asio::post(shard->io(), [&shard = *shard, over] {
            std::vector<std::weak_ptr<Session>> open;
            for (auto& s : shard.sessions()) open.push_back(s);
            if (open.empty()) return;
            std::make_shared<Drainer>(shard.io().get_executor(), std::move(open), over)->step();
        });
    }
}

bool Server::draining() const {
    return impl_->stopping.load();
}

std::size_t Server::body_limit() const {
    return impl_->options.max_payload;
}
void Server::handle_request(std::size_t conn_shard, http::Request request,
                            std::shared_ptr<http::Reply> reply) {
    impl_->handle_request(conn_shard, std::move(request), std::move(reply));
}
void Server::handle_oversized(std::size_t conn_shard, http::Request request,
                              std::shared_ptr<http::Reply> reply) {
    impl_->handle_oversized(conn_shard, std::move(request), std::move(reply));
}
void Server::handle_upgrade(std::size_t conn_shard, http::Request request,
                            net::ShardSocket socket) {
    impl_->handle_upgrade(conn_shard, std::move(request), std::move(socket));
}
void Server::request_aborted(std::string_view query, const http::Reply* reply) {
    impl_->request_aborted(parse_engine_query(query).sid, reply);
}

void shutdown_and_wait(std::initializer_list<Server*> servers, std::chrono::milliseconds timeout) {
    for (auto* s : servers) s->shutdown();
    auto open = [&] {
        std::size_t n = 0;
        for (auto* s : servers) n += s->session_count();
        return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (open() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // A session leaves the count when it ends; its last writes may still be in flight.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// ---- Impl ----

Server::Impl::Impl(net::IoShards& s, ServerOptions o, ConnectionHandler h)
    : io_shards(s),
      options(std::move(o)),
      on_connection(std::move(h)),
      origins(options.allowed_origins),
      addresses(options.max_connections_per_address) {
    if (io_shards.size() > sid_alphabet.size())
        throw std::invalid_argument("engine::Server supports at most 64 shards");
    for (std::size_t i = 0; i < io_shards.size(); ++i)
        shards.push_back(std::make_unique<ServerShard>(io_shards.at(i), i, options, origins,
                                                       sessions, addresses));
}

std::string Server::Impl::new_sid(std::size_t shard) const {
    unsigned char random[sid_length];
    std::size_t got = 0;
    while (got < sizeof random) {
        const ssize_t n = getrandom(random + got, sizeof random - got, 0);
        if (n > 0) got += static_cast<std::size_t>(n);
    }
    std::string sid(sid_length, ' ');
    sid[0] = sid_alphabet[shard];
    for (std::size_t i = 1; i < sid_length; ++i) sid[i] = sid_alphabet[random[i] & 63];
    return sid;
}

std::size_t Server::Impl::shard_of(const std::string& sid) const {
    if (sid.size() != sid_length) return std::string::npos;
    const std::size_t index = sid_alphabet.find(sid[0]);
    return index < io_shards.size() ? index : std::string::npos;
}

std::shared_ptr<Session> Server::Impl::create(std::size_t shard, const http::Request& r) {
    std::string sid = new_sid(shard);
    auto session = std::make_shared<Session>(
        *shards[shard], std::move(sid),
        HandshakeRequest{r.remote_address, std::string(r.header("origin")), r.query});
    shards[shard]->add(session);
    return session;
}

bool Server::Impl::admit(std::size_t conn_shard, const http::Request& request) {
    if (addresses.acquire(request.remote_address)) return true;
    ShardStats::add(shards[conn_shard]->stats().address_refusals);
    return false;
}

http::Response Server::Impl::error_response(ErrorCode code, std::string_view origin) const {
    http::Response r = http::json_response(error_status(code), error_body(code));
    origins.add_cors_headers(origin, r.headers);
    return r;
}

void Server::Impl::handle_request(std::size_t conn_shard, http::Request request,
                                  std::shared_ptr<http::Reply> reply) {
    const std::string origin(request.header("origin"));
    const RequestClass c =
        classify_request(RequestInput{request.method, request.query,
                                      http::is_websocket_upgrade(request), origins.allows(origin)});
    if (c.error) {
        if (*c.error == ErrorCode::forbidden)
            ShardStats::add(shards[conn_shard]->stats().origin_refusals);
        reply->send(error_response(*c.error, origin));
        return;
    }
    switch (c.kind) {
        case RequestKind::preflight: {
            http::Response r;
            r.status = 204;
            r.content_type.clear();
            origins.add_preflight_headers(origin, request.header("access-control-request-headers"),
                                          r.headers);
            reply->send(std::move(r));
            return;
        }
        case RequestKind::handshake_polling: {
            if (stopping) {
                reply->send(http::json_response(503, R"({"error":"shutting down"})"));
                return;
            }
            if (!admit(conn_shard, request)) {
                http::Response r = http::json_response(kTooManyStatus, too_many_body());
                origins.add_cors_headers(origin, r.headers);
                reply->send(std::move(r));
                return;
            }
            auto session = create(conn_shard, request);
            session->open_polling();
            if (on_connection) on_connection(session);
            session->on_poll(std::move(reply));
            return;
        }
        case RequestKind::poll:
        case RequestKind::post: {
            const std::size_t shard = shard_of(c.query.sid);
            if (shard == std::string::npos) {
                reply->send(error_response(ErrorCode::unknown_sid, origin));
                return;
            }
            // The session lives on its own shard: run there (inline when it is this one).
            asio::dispatch(io_shards.at(shard), [this, shard, reply = std::move(reply),
                                                 request = std::move(request)]() mutable {
                on_shard(shard, std::move(reply), std::move(request), false);
            });
            return;
        }
        default:  // WebSocket kinds arrive through handle_upgrade
            reply->send(error_response(ErrorCode::bad_request, origin));
            return;
    }
}

void Server::Impl::handle_oversized(std::size_t, http::Request request,
                                    std::shared_ptr<http::Reply> reply) {
    const auto q = parse_engine_query(request.query);
    const std::size_t shard = shard_of(q.sid);
    if (shard == std::string::npos) {
        http::Response r = http::json_response(413, R"({"error":"Payload Too Large"})");
        r.close_connection = true;
        reply->send(std::move(r));
        return;
    }
    asio::dispatch(io_shards.at(shard),
                   [this, shard, reply = std::move(reply), request = std::move(request)]() mutable {
                       on_shard(shard, std::move(reply), std::move(request), true);
                   });
}

void Server::Impl::on_shard(std::size_t shard, std::shared_ptr<http::Reply> reply,
                            http::Request request, bool oversized) {
    const auto q = parse_engine_query(request.query);
    const std::string origin(request.header("origin"));
    auto session = shards[shard]->find(q.sid);
    if (!session && !oversized && request.method == "GET") {
        // A session that ended with no GET waiting still owes that GET its last answer.
        if (auto ended = shards[shard]->find_lingering(q.sid)) {
            ended->on_last_poll(std::move(reply));
            return;
        }
    }
    if (!session) {
        if (oversized) {
            http::Response r = http::json_response(413, R"({"error":"Payload Too Large"})");
            r.close_connection = true;
            reply->send(std::move(r));
        } else {
            reply->send(error_response(ErrorCode::unknown_sid, origin));
        }
        return;
    }
    if (oversized) {
        session->on_oversized_post(std::move(reply));
        return;
    }
    if (session->upgraded()) {
        // Polling after the upgrade: a transport mismatch, refused like the reference server.
        reply->send(error_response(ErrorCode::bad_request, origin));
        return;
    }
    if (request.method == "GET") {
        session->on_poll(std::move(reply));
    } else {
        session->on_post(request.body, std::move(reply));
    }
}

void Server::Impl::request_aborted(const std::string& sid, const http::Reply* reply) {
    const std::size_t shard = shard_of(sid);
    if (shard == std::string::npos) return;
    asio::dispatch(io_shards.at(shard), [this, shard, sid, reply] {
        if (auto session = shards[shard]->find(sid)) session->on_poll_aborted(reply);
    });
}

void Server::Impl::handle_upgrade(std::size_t conn_shard, http::Request request,
                                  net::ShardSocket socket) {
    const std::string origin(request.header("origin"));
    const RequestClass c =
        classify_request(RequestInput{request.method, request.query, true, origins.allows(origin)});
    HeaderList cors;
    origins.add_cors_headers(origin, cors);
    if (c.error) {
        if (*c.error == ErrorCode::forbidden)
            ShardStats::add(shards[conn_shard]->stats().origin_refusals);
        WsConnection::reject(std::move(socket), error_status(*c.error), error_body(*c.error), cors);
        return;
    }
    if (request.header("sec-websocket-key").empty() ||
        request.header("sec-websocket-version") != "13") {
        WsConnection::reject(std::move(socket), 400, error_body(ErrorCode::bad_request), cors);
        return;
    }
    std::size_t shard = conn_shard;
    if (c.kind == RequestKind::websocket_with_sid) {
        shard = shard_of(c.query.sid);
        if (shard == std::string::npos) {
            WsConnection::reject(std::move(socket), 400, error_body(ErrorCode::unknown_sid), cors);
            return;
        }
    }
    if (shard != conn_shard) {
        // Move the connection to the session's shard: re-wrap the descriptor in that io_context
        // so the WebSocket never crosses threads afterwards.
        boost::system::error_code ec;
        const auto protocol = socket.local_endpoint(ec).protocol();
        if (ec) return;
        const auto fd = socket.release(ec);
        if (ec) return;
        asio::post(io_shards.at(shard),
                   [this, shard, fd, protocol, request = std::move(request)]() mutable {
                       net::ShardSocket moved(io_shards.at(shard), protocol, fd);
                       upgrade_on_shard(shard, std::move(request), std::move(moved));
                   });
        return;
    }
    upgrade_on_shard(shard, std::move(request), std::move(socket));
}

void Server::Impl::upgrade_on_shard(std::size_t shard, http::Request request,
                                    net::ShardSocket socket) {
    const auto q = parse_engine_query(request.query);
    const std::string key(request.header("sec-websocket-key"));
    if (q.sid.empty()) {
        if (stopping) {
            WsConnection::reject(std::move(socket), 503, R"({"error":"shutting down"})", {});
            return;
        }
        if (!admit(shard, request)) {
            HeaderList cors;
            origins.add_cors_headers(request.header("origin"), cors);
            WsConnection::reject(std::move(socket), kTooManyStatus, too_many_body(), cors);
            return;
        }
        auto session = create(shard, request);
        auto ws = std::make_shared<WsConnection>(std::move(socket), options.max_payload);
        ws->accept(key, session, /*write_now=*/false);  // open_websocket flushes 101 + open
        session->open_websocket(ws);
        if (on_connection) on_connection(session);
        return;
    }
    auto session = shards[shard]->find(q.sid);
    if (!session) {
        HeaderList cors;
        origins.add_cors_headers(request.header("origin"), cors);
        WsConnection::reject(std::move(socket), 400, error_body(ErrorCode::unknown_sid), cors);
        return;
    }
    auto ws = std::make_shared<WsConnection>(std::move(socket), options.max_payload);
    ws->accept(key, session);
    session->on_websocket(std::move(ws));
}

}  // namespace pulse::engine
