#include "engine/server.hpp"

#include <sys/random.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "engine/request_check.hpp"
#include "engine/server_impl.hpp"
#include "engine/session.hpp"
#include "engine/websocket_connection.hpp"
#include "http/io_shards.hpp"
#include "pulse/log.hpp"

namespace pulse::engine {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// URL-safe alphabet (like the reference server's base64id): a sid is used raw in query strings.
constexpr std::string_view sid_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t sid_length = 20;

bool header_has_token(std::string_view value, std::string_view token) {
    // Case-insensitive search of a comma-separated header for a token ("keep-alive, Upgrade").
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t end = value.find(',', start);
        if (end == std::string_view::npos) end = value.size();
        std::string_view part = value.substr(start, end - start);
        while (!part.empty() && (part.front() == ' ' || part.front() == '\t'))
            part.remove_prefix(1);
        while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
        if (part.size() == token.size()) {
            bool same = true;
            for (std::size_t i = 0; i < part.size() && same; ++i)
                same = lower(part[i]) == lower(token[i]);
            if (same) return true;
        }
        start = end + 1;
    }
    return false;
}

bool is_websocket_upgrade(const http::Request& r) {
    return header_has_token(r.header("upgrade"), "websocket") &&
           header_has_token(r.header("connection"), "upgrade");
}
}  // namespace

const char* to_string(CloseReason reason) {
    switch (reason) {
        case CloseReason::transport_close:
            return "transport close";
        case CloseReason::transport_error:
            return "transport error";
        case CloseReason::ping_timeout:
            return "ping timeout";
        case CloseReason::send_overflow:
            return "send overflow";
        case CloseReason::server_close:
            return "server close";
        case CloseReason::server_shutdown:
            return "server shutdown";
    }
    return "unknown";
}

// ---- Server ----

Server::Server(http::IoShards& shards, ServerOptions options, ConnectionHandler on_connection)
    : impl_(std::make_unique<Impl>(shards, std::move(options), std::move(on_connection))) {}

Server::~Server() = default;

const ServerOptions& Server::options() const {
    return impl_->options;
}
std::size_t Server::session_count() const {
    return impl_->sessions.load();
}

void Server::shutdown() {
    Impl& impl = *impl_;
    impl.stopping = true;
    for (std::size_t i = 0; i < impl.shards.size(); ++i) {
        net::post(impl.shards.at(i), [&impl, i] {
            // Copy first: each shutdown() removes its session from the map.
            std::vector<std::shared_ptr<Session>> open;
            for (auto& [sid, s] : impl.shards_[i]->sessions) open.push_back(s);
            for (auto& s : open) s->shutdown();
        });
    }
}

// ---- Impl ----

Server::Impl::Impl(http::IoShards& s, ServerOptions o, ConnectionHandler h)
    : shards(s),
      options(std::move(o)),
      on_connection(std::move(h)),
      origins(options.allowed_origins) {
    if (shards.size() > sid_alphabet.size())
        throw std::invalid_argument("engine::Server supports at most 64 shards");
    for (std::size_t i = 0; i < shards.size(); ++i)
        shards_.push_back(std::make_unique<Shard>(shards.at(i), options));
}

Server::Impl::Shard::Shard(boost::asio::io_context& io, const ServerOptions& options)
    : ping_deadlines(io, options.ping_interval, &Session::on_heartbeat_due),
      pong_deadlines(io, options.ping_timeout, &Session::on_heartbeat_due) {}

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
    return index < shards.size() ? index : std::string::npos;
}

std::shared_ptr<Session> Server::Impl::find(std::size_t shard, const std::string& sid) const {
    auto& map = shards_[shard]->sessions;
    auto it = map.find(sid);
    return it == map.end() ? nullptr : it->second;
}

void Server::Impl::remove(const Session& session) {
    auto& map = shards_[session.shard()]->sessions;
    auto it = map.find(session.id());
    if (it != map.end() && it->second.get() == &session) {
        map.erase(it);
        sessions.fetch_sub(1);
    }
}

void Server::Impl::defer_flush(std::size_t shard, std::shared_ptr<Session> session) {
    Shard& sh = *shards_[shard];
    sh.to_flush.push_back(std::move(session));
    if (sh.flush_posted) return;
    sh.flush_posted = true;
    net::post(shards.at(shard), [this, shard] { run_flushes(shard); });
}

void Server::Impl::run_flushes(std::size_t shard) {
    Shard& sh = *shards_[shard];
    sh.flush_posted = false;
    // Swap, not iterate in place: a flush may defer another one (it lands in the next tick).
    sh.flushing.swap(sh.to_flush);
    for (auto& session : sh.flushing) session->deferred_flush();
    sh.flushing.clear();
}

std::shared_ptr<Session> Server::Impl::create(std::size_t shard, const http::Request& r) {
    std::string sid = new_sid(shard);
    auto session = std::make_shared<Session>(
        *this, sid, shard,
        HandshakeRequest{r.remote_address, std::string(r.header("origin")), r.query});
    shards_[shard]->sessions.emplace(std::string_view(session->id()), session);
    sessions.fetch_add(1);
    return session;
}

http::Response Server::Impl::error_response(ErrorCode code, std::string_view origin) const {
    http::Response r = http::json_response(error_status(code), error_body(code));
    origins.add_cors_headers(origin, r.headers);
    return r;
}

void Server::Impl::handle_request(std::size_t conn_shard, http::Request request,
                                  std::shared_ptr<Reply> reply) {
    const std::string origin(request.header("origin"));
    const RequestClass c = classify_request(RequestInput{
        request.method, request.query, is_websocket_upgrade(request), origins.allows(origin)});
    if (c.error) {
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
            net::dispatch(shards.at(shard), [this, shard, reply = std::move(reply),
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
                                    std::shared_ptr<Reply> reply) {
    const auto q = parse_engine_query(request.query);
    const std::size_t shard = shard_of(q.sid);
    if (shard == std::string::npos) {
        http::Response r = http::json_response(413, R"({"error":"Payload Too Large"})");
        r.close_connection = true;
        reply->send(std::move(r));
        return;
    }
    net::dispatch(shards.at(shard),
                  [this, shard, reply = std::move(reply), request = std::move(request)]() mutable {
                      on_shard(shard, std::move(reply), std::move(request), true);
                  });
}

void Server::Impl::on_shard(std::size_t shard, std::shared_ptr<Reply> reply, http::Request request,
                            bool oversized) {
    const auto q = parse_engine_query(request.query);
    const std::string origin(request.header("origin"));
    auto session = find(shard, q.sid);
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

void Server::Impl::request_aborted(const std::string& sid, const Reply* reply) {
    const std::size_t shard = shard_of(sid);
    if (shard == std::string::npos) return;
    net::dispatch(shards.at(shard), [this, shard, sid, reply] {
        if (auto session = find(shard, sid)) session->on_poll_aborted(reply);
    });
}

void Server::Impl::handle_upgrade(std::size_t conn_shard, http::Request request,
                                  http::ShardSocket socket) {
    const std::string origin(request.header("origin"));
    const RequestClass c =
        classify_request(RequestInput{request.method, request.query, true, origins.allows(origin)});
    HeaderList cors;
    origins.add_cors_headers(origin, cors);
    if (c.error) {
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
        net::post(shards.at(shard),
                  [this, shard, fd, protocol, request = std::move(request)]() mutable {
                      http::ShardSocket moved(shards.at(shard), protocol, fd);
                      upgrade_on_shard(shard, std::move(request), std::move(moved));
                  });
        return;
    }
    upgrade_on_shard(shard, std::move(request), std::move(socket));
}

void Server::Impl::upgrade_on_shard(std::size_t shard, http::Request request,
                                    http::ShardSocket socket) {
    const auto q = parse_engine_query(request.query);
    const std::string key(request.header("sec-websocket-key"));
    if (q.sid.empty()) {
        if (stopping) {
            WsConnection::reject(std::move(socket), 503, R"({"error":"shutting down"})", {});
            return;
        }
        auto session = create(shard, request);
        auto ws = std::make_shared<WsConnection>(std::move(socket), options.max_payload);
        ws->accept(key, session, /*write_now=*/false);  // open_websocket flushes 101 + open
        session->open_websocket(ws);
        if (on_connection) on_connection(session);
        return;
    }
    auto session = find(shard, q.sid);
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
