#include "sio/client.hpp"

#include <array>
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <pulse/log.hpp>

#include "parser/encoder.hpp"
#include "sio/recovery.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"
#include "sio/socket_id.hpp"

namespace pulse::sio {

struct Client::Timer {
    explicit Timer(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
};

namespace {

// A resume that is ahead of this shard (RestoreRefusal::ahead_of_shard) waits for the bus at most
// kResumeWaits x kConnectRetry, then starts afresh. Under load a peer replica's bus ran tens of
// milliseconds ahead of ours, and the chaos test gateway-drain saw 1-4 of 100 drained clients
// refused for it before this wait.
constexpr std::chrono::milliseconds kConnectRetry{5};
constexpr std::uint8_t kResumeWaits = 100;

// socket.io's disconnect reasons, as a client library reports them.
const char* disconnect_reason(engine::CloseReason reason) {
    // socket.io's disconnect reasons, in CloseReason's order.
    static constexpr std::array<const char*, 6> reasons{"transport close", "transport error",
                                                        "ping timeout",    "send buffer overflow",
                                                        "server close",    "server shutting down"};
    const auto index = static_cast<std::size_t>(reason);
    return index < reasons.size() ? reasons[index] : "transport close";
}

}  // namespace

Client::Client(Server& server, std::shared_ptr<engine::Socket> socket,
               boost::asio::io_context& shard_context)
    : server_(server),
      engine_(std::move(socket)),
      connect_timer_(std::make_unique<Timer>(shard_context)) {}

Client::~Client() = default;

std::vector<std::shared_ptr<Socket>>::iterator Client::find_socket(std::string_view nsp) {
    auto it = sockets_.begin();
    while (it != sockets_.end() && (*it)->nsp() != nsp) ++it;
    return it;
}

void Client::start() {
    engine_->listener = shared_from_this();

    connect_timer_->timer.expires_after(server_.options().connect_timeout);
    connect_timer_->timer.async_wait(
        [weak = weak_from_this()](const boost::system::error_code& ec) {
            if (ec) return;  // cancelled: a namespace connected, or the session closed
            auto self = weak.lock();
            if (self && self->sockets_.empty() && self->open()) {
                log::debug("sio connect timeout", {{"sid", self->engine_->id()}});
                self->close();
            }
        });
}

void Client::send(const parser::Packet& packet) {
    if (closed_) return;
    auto text = std::make_shared<std::string>("4");
    auto attachments = parser::encode_into(*text, packet);
    engine_->send_text_packet(std::move(text));
    for (auto& bytes : attachments)
        engine_->send_binary(std::make_shared<const std::string>(std::move(bytes)));
}

void Client::send_encoded(const std::shared_ptr<const std::string>& engine_text_packet) {
    if (closed_) return;
    if (!engine_->open()) {
        // The session ended and its on_close is on its way: this broadcast never reaches the
        // client, which has what this shard had delivered before it (processed() runs after
        // the delivery).
        const RecoveryStore* recovery = server_.options().recovery;
        if (recovery && !dropped_after_)
            dropped_after_ = std::make_unique<Offset>(recovery->last_processed(shard()));
        return;
    }
    engine_->send_text_packet(engine_text_packet);
}

void Client::close() {
    if (!closed_) engine_->close();
}

void Client::fail(std::string_view why) {
    if (closed_) return;
    log::debug("sio malformed packet, closing the session",
               {{"sid", engine_->id()}, {"error", std::string(why)}});
    close();
}

void Client::on_message(std::string_view data, bool binary) {
    if (closed_) return;
    if (packet_rate_.over(server_.options().max_packets_per_second)) {
        if (auto* counter = server_.options().flood_closes) ++*counter;
        log::debug("sio flood, closing the session", {{"sid", engine_->id()}});
        parser::Json info = parser::Json::object();
        info["code"] = "flood";
        info["reason"] = "more than " + std::to_string(server_.options().max_packets_per_second) +
                         " packets per second";
        for (const auto& socket : sockets_)
            socket->emit("limit-error", parser::Json::array({info}));
        close();
        return;
    }
    parser::Decoder::Result result;
    if (pending_binary_) {
        result = binary ? pending_binary_->add_binary(data) : pending_binary_->add_text(data);
        if (result.status != parser::Decoder::Result::Status::incomplete) pending_binary_.reset();
    } else {
        parser::Decoder decoder(server_.options().max_attachments);
        result = binary ? decoder.add_binary(data) : decoder.add_text(data);
        if (result.status == parser::Decoder::Result::Status::incomplete)
            pending_binary_ = std::make_unique<parser::Decoder>(std::move(decoder));
    }
    switch (result.status) {
        case parser::Decoder::Result::Status::incomplete:
            return;
        case parser::Decoder::Result::Status::error:
            fail(result.error);
            return;
        case parser::Decoder::Result::Status::packet:
            on_packet(std::move(*result.packet));
            return;
    }
}

void Client::on_packet(parser::Packet packet) {
    using parser::PacketType;
    if (packet.type == PacketType::connect) {
        connect(packet.nsp, packet.data ? std::move(*packet.data) : parser::Json::object());
        return;
    }
    auto it = find_socket(packet.nsp);
    if (it == sockets_.end()) return;  // not connected to that namespace: ignored (as socket.io)
    // Hold the socket: a handler may disconnect it, which drops the vector's reference.
    std::shared_ptr<Socket> socket = *it;
    switch (packet.type) {
        case PacketType::event:
        case PacketType::binary_event:
            socket->handle_event(*packet.data, packet.id);
            break;
        case PacketType::ack:
        case PacketType::binary_ack:
            if (packet.id)
                socket->handle_ack(*packet.id, packet.data ? *packet.data : parser::Json::array());
            break;
        case PacketType::disconnect:
            remove_socket(packet.nsp, "client namespace disconnect");
            break;
        default:
            break;  // CONNECT_ERROR from a client means nothing
    }
}

void Client::connect(const std::string& nsp, parser::Json auth) {
    auto* shard_ns = server_.shard_namespace(shard(), nsp);
    const auto* handler = server_.connection_handler(nsp);
    const NamespaceHandlers* handlers = server_.namespace_handlers(nsp);
    if (!shard_ns || !handler || !handlers) {
        parser::Json error = parser::Json::object();
        error["message"] = "Invalid namespace";
        send({parser::PacketType::connect_error, nsp, {}, std::move(error)});
        return;  // the session stays open: the client may try another namespace
    }
    if (find_socket(nsp) != sockets_.end()) return;  // already connected there
    for (const auto& middleware : handlers->middleware) {
        if (auto refusal = middleware(auth, handshake())) {
            parser::Json error = parser::Json::object();
            error["message"] = std::move(refusal->message);
            if (!refusal->data.is_null()) error["data"] = std::move(refusal->data);
            // As socket.io: the Engine.IO session stays open (the client may retry with other
            // credentials) until the connect timeout closes it.
            send({parser::PacketType::connect_error, nsp, {}, std::move(error)});
            return;
        }
    }

    // Connection state recovery (main namespace): a client that comes back with its pid resumes
    // its socket id and rooms, and gets what was broadcast to them meanwhile.
    RecoveryStore* recovery = nsp == "/" ? server_.options().recovery : nullptr;
    std::optional<RecoveryStore::Restored> restored;
    std::string pid;
    if (recovery) {
        auto p = auth.is_object() ? auth.find("pid") : auth.end();
        if (auth.is_object() && p != auth.end() && p->is_string()) {
            std::optional<Offset> offset;
            auto o = auth.find("offset");
            if (o != auth.end() && o->is_string()) offset = parse_offset(o->get<std::string>());
            RestoreRefusal why{};
            restored = recovery->restore(shard(), p->get<std::string>(), offset, &why);
            // The client already has events this shard has not delivered yet: wait for the bus
            // to bring them here, then ask again.
            if (!restored && why == RestoreRefusal::ahead_of_shard &&
                resume_waits_ < kResumeWaits && connect_timer_) {
                ++resume_waits_;
                connect_later(nsp, std::move(auth));
                return;
            }
            if (restored) {
                pid = p->get<std::string>();
                log::debug("sio resumed",
                           {{"sid", restored->sid},
                            {"engine_sid", engine_->id()},
                            {"offset", offset ? format_offset(*offset) : "-"},
                            {"replica_at", format_offset(recovery->last_processed(shard()))},
                            {"missed", restored->missed.size()},
                            {"waited_ms", resume_waits_ * kConnectRetry.count()}});
            } else {
                log::info("sio resume refused, the client starts a fresh session",
                          {{"sid", engine_->id()},
                           {"reason", to_string(why)},
                           {"offset", offset ? format_offset(*offset) : "-"},
                           {"replica_at", format_offset(recovery->last_processed(shard()))},
                           {"waited_ms", resume_waits_ * kConnectRetry.count()}});
            }
        }
    }
    std::string sid = restored ? restored->sid : make_socket_id();
    if (recovery && !restored) pid = recovery->issue_pid(sid);

    auto socket = std::make_shared<Socket>(*this, std::move(sid), *handlers, std::move(auth),
                                           shard_ns->rooms);
    if (recovery) {
        std::vector<std::pair<std::string, std::string>> resumed_from;
        if (restored)
            for (std::size_t i = 0; i < restored->rooms.size() && i < restored->from.size(); ++i)
                resumed_from.emplace_back(restored->rooms[i], format_offset(restored->from[i]));
        socket->set_recovery(pid, restored.has_value(), std::move(resumed_from));
    }
    sockets_.push_back(socket);
    ++shard_ns->sockets;
    // The connect deadline is met: free the timer rather than keep it idle
    // for the connection's whole life. Destroying it cancels the pending wait.
    connect_timer_.reset();

    parser::Json data = parser::Json::object();
    data["sid"] = socket->id();
    if (recovery) data["pid"] = pid;
    send({parser::PacketType::connect, nsp, {}, std::move(data)});
    if (restored) {
        for (const auto& room : restored->rooms) socket->join(room);
        for (const auto& packet : restored->missed) send_encoded(packet);
    }
    if (*handler) (*handler)(*socket);
}

void Client::connect_later(std::string nsp, parser::Json auth) {
    // The connect timer lives until a namespace connects, so it is there: its executor is this
    // session's shard.
    auto timer = std::make_shared<boost::asio::steady_timer>(connect_timer_->timer.get_executor(),
                                                             kConnectRetry);
    timer->async_wait([weak = weak_from_this(), timer, nsp = std::move(nsp),
                       auth = std::move(auth)](const boost::system::error_code& ec) mutable {
        auto self = weak.lock();
        if (ec || !self || !self->open()) return;
        self->connect(nsp, std::move(auth));
    });
}

void Client::remove_socket(const std::string& nsp, std::string_view reason) {
    auto it = find_socket(nsp);
    if (it == sockets_.end()) return;
    std::shared_ptr<Socket> socket = std::move(*it);
    // `nsp` may be the socket's own name (on_close passes it): the socket is held above.
    sockets_.erase(it);
    if (sockets_.empty()) sockets_.shrink_to_fit();
    if (auto* shard_ns = server_.shard_namespace(shard(), socket->nsp())) --shard_ns->sockets;
    socket->finish(reason);
}

void Client::on_close(engine::CloseReason reason) {
    if (connect_timer_) connect_timer_->timer.cancel();
    // Keep ourselves alive until the end of this function even if the engine drops its handlers.
    auto self = shared_from_this();
    const char* why = disconnect_reason(reason);
    // A transport that dropped may come back: keep the main namespace socket's state for it.
    // A drained replica closes its sessions so that their clients resume on a peer.
    const bool recoverable = reason == engine::CloseReason::transport_close ||
                             reason == engine::CloseReason::transport_error ||
                             reason == engine::CloseReason::ping_timeout ||
                             reason == engine::CloseReason::server_shutdown;
    if (auto* recovery = server_.options().recovery; recovery && recoverable) {
        auto it = find_socket("/");
        if (it != sockets_.end() && !(*it)->pid().empty()) {
            const Offset seen =
                dropped_after_ ? *dropped_after_ : recovery->last_processed(shard());
            log::debug("sio session kept for a resume", {{"sid", (*it)->id()},
                                                         {"engine_sid", engine_->id()},
                                                         {"reason", why},
                                                         {"seen", format_offset(seen)}});
            recovery->save((*it)->pid(), (*it)->id(), (*it)->rooms(), seen);
        }
    }
    while (!sockets_.empty()) {
        const std::string nsp = sockets_.front()->nsp();
        remove_socket(nsp, why);
    }
    // No more sends. The engine socket itself stays: it released us (its listener) before this
    // call, so there is no cycle left, and both go when this call's reference to us does.
    closed_ = true;
}

}  // namespace pulse::sio
