#include "sio/socket.hpp"

#include <algorithm>
#include <unordered_set>

#include "engine/socket.hpp"
#include "parser/encoder.hpp"
#include "sio/client.hpp"
#include "sio/recovery.hpp"
#include "sio/server.hpp"

namespace pulse::sio {

namespace {

// The event names handlers are registered for come from server code (a few constants), so one
// copy per thread for the process's life is bounded; every socket then points at it. Nodes of an
// unordered_set never move, so the pointers stay valid.
const std::string* interned_event_name(std::string name) {
    thread_local std::unordered_set<std::string> names;
    return &*names.insert(std::move(name)).first;
}

// Most clients connect without an auth payload, i.e. `{}`. An empty JSON object still allocates
// its (empty) map in every socket, so such sockets keep a `discarded` marker (a value the
// decoder never produces) and share this one object.
const Json& empty_object() {
    static const Json empty = Json::object();
    return empty;
}

}  // namespace

Socket::Socket(Client& client, std::string id, const NamespaceHandlers& nsp, Json auth,
               adapter::RoomIndex& rooms)
    : client_(&client),
      id_(std::move(id)),
      nsp_(&nsp),
      auth_(auth.is_object() && auth.empty() ? Json(Json::value_t::discarded) : std::move(auth)),
      rooms_(rooms) {}

Socket::Occasional& Socket::occasional() {
    if (!occasional_) occasional_ = std::make_unique<Occasional>();
    return *occasional_;
}

const std::string& Socket::pid() const {
    static const std::string none;
    return occasional_ ? occasional_->pid : none;
}

void Socket::set_recovery(std::string pid, bool recovered,
                          std::vector<std::pair<std::string, std::string>> resumed_from) {
    occasional().pid = std::move(pid);
    occasional().recovered = recovered;
    occasional().resumed_from = std::move(resumed_from);
}

std::string Socket::delivered_offset() const {
    const RecoveryStore* recovery = client_->server().options().recovery;
    if (!recovery) return {};
    return format_offset(recovery->last_processed(shard()));
}

std::string Socket::join_offset(std::string_view room) const {
    if (occasional_)
        for (const auto& [r, offset] : occasional_->resumed_from)
            if (r == room) return offset;
    return delivered_offset();
}

const Json& Socket::auth() const {
    return auth_.is_discarded() ? empty_object() : auth_;
}

Socket::~Socket() {
    rooms_.leave_all(*this);
}

const engine::HandshakeRequest& Socket::handshake() const {
    return client_->handshake();
}

std::size_t Socket::shard() const {
    return client_->shard();
}

void Socket::on(std::string event, EventHandler handler) {
    const std::string* name = interned_event_name(std::move(event));
    for (auto& h : handlers_)
        if (h.name == name) {
            h.handler = std::move(handler);
            return;
        }
    handlers_.push_back({name, std::move(handler)});
}

void Socket::on_disconnect(DisconnectHandler handler) {
    disconnect_handlers_.push_back(std::move(handler));
}

void Socket::emit(std::string_view event, Json args) {
    if (!connected_) return;
    Json data = Json::array();
    data.push_back(std::string(event));
    for (auto& a : args) data.push_back(std::move(a));
    client_->send({parser::PacketType::event, nsp_->name, {}, std::move(data)});
}

void Socket::emit_with_ack(std::string_view event, Json args, AckHandler on_ack) {
    if (!connected_) return;
    const std::uint64_t id = occasional().next_ack_id++;
    occasional_->pending_acks.emplace_back(id, std::move(on_ack));
    Json data = Json::array();
    data.push_back(std::string(event));
    for (auto& a : args) data.push_back(std::move(a));
    client_->send({parser::PacketType::event, nsp_->name, id, std::move(data)});
}

void Socket::emit_json_text(std::string_view event, std::string_view data_json) {
    if (!connected_) return;
    client_->send_encoded(std::make_shared<const std::string>(
        parser::encode_event_text("4", nsp_->name, event, data_json)));
}

bool Socket::join(std::string_view room) {
    return connected_ && rooms_.join(*this, room);
}
bool Socket::leave(std::string_view room) {
    return rooms_.leave(*this, room);
}
std::vector<std::string> Socket::rooms() const {
    return rooms_.rooms_of(*this);
}

bool Socket::in_room(std::string_view room) const {
    return rooms_.contains(*this, room);
}

void Socket::disconnect(bool close_connection) {
    if (!connected_) return;
    client_->send({parser::PacketType::disconnect, nsp_->name, {}, {}});
    // Keep ourselves alive through the removal: the client drops its reference in there.
    auto self = shared_from_this();
    Client* client = client_;
    client->remove_socket(nsp_->name, "server namespace disconnect");
    if (close_connection) client->close();
}

void Socket::deliver(const std::shared_ptr<const std::string>& packet) {
    if (connected_) client_->send_encoded(packet);
}

void Socket::handle_event(const Json& data, std::optional<std::uint64_t> ack_id) {
    // The decoder guarantees a non-empty array whose first element is a string or a number.
    const Json& first = data.front();
    const std::string name = first.is_string() ? first.get<std::string>() : first.dump();
    const EventHandler* found = nullptr;
    for (const auto& h : handlers_)
        if (*h.name == name) {
            found = &h.handler;
            break;
        }
    if (!found)
        for (const auto& [event, handler] : nsp_->events)
            if (event == name) {
                found = &handler;
                break;
            }
    if (!found) return;  // nobody listens: dropped, like an EventEmitter would
    Json args = Json::array();
    for (std::size_t i = 1; i < data.size(); ++i) args.push_back(data[i]);
    Ack ack;
    if (ack_id) {
        ack = [weak = weak_from_this(), id = *ack_id,
               sent = std::make_shared<bool>(false)](Json ack_args) {
            auto self = weak.lock();
            if (!self || *sent) return;
            *sent = true;
            self->send_ack(id, std::move(ack_args));
        };
    }
    // Copy the handler: it may replace itself (socket.on) while running. (Namespace handlers
    // never change once serving; copying them too keeps one path.)
    EventHandler handler = *found;
    handler(*this, args, ack);
}

void Socket::handle_ack(std::uint64_t id, const Json& args) {
    if (!occasional_) return;  // never asked for an ack
    auto& pending = occasional_->pending_acks;
    auto it =
        std::find_if(pending.begin(), pending.end(), [id](const auto& p) { return p.first == id; });
    if (it == pending.end()) return;  // unknown or already answered: ignored
    AckHandler handler = std::move(it->second);
    pending.erase(it);
    if (pending.empty()) pending.shrink_to_fit();  // nothing kept while idle
    handler(args);
}

void Socket::send_ack(std::uint64_t id, Json args) {
    if (!connected_) return;
    if (!args.is_array()) args = Json::array({std::move(args)});
    client_->send({parser::PacketType::ack, nsp_->name, id, std::move(args)});
}

void Socket::finish(std::string_view reason) {
    if (!connected_) return;
    connected_ = false;
    // As socket.io's "disconnecting": the rooms are still there to look at.
    for (const auto& h : nsp_->disconnecting) h(*this, reason);
    rooms_.leave_all(*this);
    if (occasional_) occasional_->pending_acks = {};
    auto handlers = std::move(disconnect_handlers_);
    disconnect_handlers_.clear();
    for (auto& h : handlers) h(*this, reason);
    for (const auto& h : nsp_->disconnect) h(*this, reason);
    handlers_ = {};  // handlers may capture the socket's own state: release it now
}

}  // namespace pulse::sio
