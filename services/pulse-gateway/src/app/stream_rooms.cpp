#include "app/stream_rooms.hpp"

#include <vector>

#include <pulse/stream_room.hpp>
#include <pulse/strkey.hpp>

#include "app/auth.hpp"
#include "sio/recovery.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

namespace pulse::app {
namespace {

using sio::Json;

// The address argument, or why it is unusable.
struct AddressArg {
    Json raw;  // what the client sent (echoed back in room-error)
    std::string address;
    std::string error;
};

// What room-error echoes of the client's argument: a short prefix, never the whole value (a
// client could otherwise make the server copy and send back up to maxHttpBufferSize).
Json echo_of(const Json& value) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (text.size() <= kEchoLimit) return value;
        return Json(text.substr(0, kEchoLimit));
    }
    if (value.is_primitive()) return value;
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > kEchoLimit) text.resize(kEchoLimit);
    return Json(std::move(text));
}

AddressArg read_address(const Json& args) {
    static const Json kNone(nullptr);
    AddressArg a;
    const Json& raw = args.empty() ? kNone : args[0];
    a.raw = echo_of(raw);
    if (!raw.is_string()) {
        a.error = "userAddress must be a string";
        return a;
    }
    a.address = raw.get<std::string>();
    if (auto check = strkey::check_address(a.address); !check)
        a.error = "invalid Stellar address: " + check.error;
    return a;
}

void reject(sio::Socket& socket, const AddressArg& arg, const sio::Ack& ack) {
    Json payload = Json::object();
    payload["userAddress"] = arg.raw;
    payload["error"] = arg.error;
    socket.emit("room-error", Json::array({payload}));
    if (ack) {
        Json answer = Json::object();
        answer["ok"] = false;
        answer["error"] = arg.error;
        ack(Json::array({answer}));
    }
}

void confirm(sio::Socket& socket, std::string_view event, const std::string& address,
             const std::string& room, const sio::Ack& ack) {
    // Every connection sends this once, so it is written as text rather than built as a JSON
    // tree and serialized (a visible share of a connect+join's cost).
    // No escaping is needed: `address` passed the StrKey check (base32 letters and digits only)
    // and `room` is "stream-" + address.
    std::string data;
    data.reserve(48 + address.size() + room.size());
    data.append(R"({"userAddress":")").append(address);
    data.append(R"(","roomName":")").append(room).append(R"("})");
    socket.emit_json_text(event, data);
    if (ack) {
        Json answer = Json::object();
        answer["ok"] = true;
        answer["roomName"] = room;
        ack(Json::array({answer}));
    }
}

// The stream addresses a socket is in (its "stream-..." rooms).
template <class Fn>
void for_each_stream_address(const sio::Socket& socket, Fn&& fn) {
    for (const auto& room : socket.rooms()) {
        if (room.rfind(kStreamRoomPrefix, 0) != 0) continue;
        fn(room.substr(kStreamRoomPrefix.size()));
    }
}

// The socket may use the room of `address`: with auth on, only its token's account.
bool allowed(const StreamRoomPolicy& policy, const sio::Socket& socket,
             const std::string& address) {
    return !policy.auth || Authenticator::account_of(socket) == address;
}

// Whether one more stream room would pass the limit (joining a room it is in costs nothing).
// Every room a socket of "/" is in is a stream room: this app joins no other.
bool over_room_limit(const StreamRoomPolicy& policy, const sio::Socket& socket,
                     const std::string& room) {
    return socket.room_count() >= policy.max_rooms && !socket.in_room(room);
}

// The checks join and leave share: within the socket's join/leave rate, a well-formed address
// the socket may speak for. Refuses (room-error, negative ack, the refusal counted) and returns
// true otherwise. The rate is checked first: every request counts, valid or not, so that a
// client cannot make the server validate and answer garbage at its own pace either.
bool refused(const StreamRoomPolicy& policy, sio::Socket& s, AddressArg& arg, const sio::Ack& ack) {
    if (s.request_rate().over(policy.max_joins_per_second)) {
        if (auto* st = policy.stats) ++st->join_rate_limited;
        arg.error = "rate-limited";
    } else if (arg.error.empty() && !allowed(policy, s, arg.address)) {
        if (auto* st = policy.stats) {
            ++st->forbidden;
            if (st->auth_failures) st->auth_failures->inc();
        }
        arg.error = "forbidden";
    }
    if (arg.error.empty()) return false;
    reject(s, arg, ack);
    return true;
}

}  // namespace

void install_stream_rooms(sio::Server& server, Presence& presence, StreamRoomPolicy policy) {
    // Every handler is registered once for the namespace, not per socket: the only per-socket
    // state is the socket's own rooms, which the room index keeps anyway (no handler table and
    // joined-set per idle connection).
    server.add_namespace("/", [&presence, policy](sio::Socket& socket) {
        if (policy.auth) policy.auth->watch(socket);
        if (!socket.recovered()) return;
        // A recovered socket is back in its rooms already: with auth on it keeps only its own
        // (a recovery pid must not carry another account's rooms over to this token).
        if (policy.auth) {
            std::vector<std::string> foreign;
            for_each_stream_address(socket, [&](const std::string& a) {
                if (!allowed(policy, socket, a)) foreign.push_back(a);
            });
            for (const auto& a : foreign) socket.leave(stream_room(a));
        }
        // Count it present again, with what it is known to have of each room (where its replay
        // started: the replay may not reach it, and a peer must then replay it again).
        for_each_stream_address(socket, [&](const std::string& a) {
            presence.add(socket.id(), a, socket.join_offset(stream_room(a)));
        });
    });

    server.on("/", "join-stream-room",
              [&presence, policy](sio::Socket& s, const Json& args, const sio::Ack& ack) {
                  auto arg = read_address(args);
                  if (refused(policy, s, arg, ack)) return;
                  const std::string room = stream_room(arg.address);
                  if (over_room_limit(policy, s, room)) {
                      if (auto* st = policy.stats) ++st->too_many_rooms;
                      arg.error = "too many rooms";
                      return reject(s, arg, ack);
                  }
                  // false: already in it
                  if (s.join(room)) presence.add(s.id(), arg.address, s.delivered_offset());
                  confirm(s, "joined-room", arg.address, room, ack);
              });

    server.on("/", "leave-stream-room",
              [&presence, policy](sio::Socket& s, const Json& args, const sio::Ack& ack) {
                  auto arg = read_address(args);
                  if (refused(policy, s, arg, ack)) return;
                  const std::string room = stream_room(arg.address);
                  if (s.leave(room)) presence.remove(s.id(), arg.address);  // false: was not in it
                  confirm(s, "left-room", arg.address, room, ack);
              });

    // Each of its addresses loses one present socket. When only the transport went (or this
    // replica shuts down), the client may resume the socket here or on a peer: say so.
    server.on_disconnecting("/", [&presence](sio::Socket& s, std::string_view reason) {
        const bool recoverable = reason == "transport close" || reason == "transport error" ||
                                 reason == "ping timeout" || reason == "server shutting down";
        presence.disconnect(s.id(), recoverable);
    });
}

void connect_recovery(sio::RecoveryStore& store, Presence& presence,
                      const sio::RecoveryCredential* credential) {
    const auto offset_of = [](const Membership& m) {
        return sio::parse_offset(m.since).value_or(sio::Offset{});
    };
    store.set_join_offsets(
        [&presence, offset_of](const std::string& sid, const std::vector<std::string>& rooms) {
            std::vector<sio::Offset> since(rooms.size());
            for (const auto& m : presence.memberships(sid))
                for (std::size_t i = 0; i < rooms.size(); ++i)
                    if (rooms[i] == stream_room(m.address)) since[i] = offset_of(m);
            return since;
        });
    if (!credential) return;
    store.set_cluster(credential, [&presence, offset_of](const std::string& sid) {
        using Claimed = std::vector<sio::RecoveryStore::ClaimedRoom>;
        auto memberships = presence.claim(sid);
        if (!memberships) return std::optional<Claimed>();
        Claimed rooms;
        for (const auto& m : *memberships) rooms.push_back({stream_room(m.address), offset_of(m)});
        return std::optional<Claimed>(std::move(rooms));
    });
}

}  // namespace pulse::app
