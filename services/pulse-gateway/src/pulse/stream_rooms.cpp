#include "pulse/stream_rooms.hpp"

#include <pulse/stream_room.hpp>
#include <pulse/strkey.hpp>

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

AddressArg read_address(const Json& args) {
    AddressArg a;
    a.raw = args.empty() ? Json(nullptr) : args[0];
    if (!a.raw.is_string()) {
        a.error = "userAddress must be a string";
        return a;
    }
    a.address = a.raw.get<std::string>();
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
    // tree and serialized (that was ~19k instructions of a ~120k-instruction connect+join).
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

}  // namespace

void install_stream_rooms(sio::Server& server, Presence& presence) {
    // Every handler is registered once for the namespace, not per socket: the only per-socket
    // state is the socket's own rooms, which the room index keeps anyway (~400 bytes less per
    // idle connection than a handler table and a joined-set per socket).
    server.add_namespace("/", [&presence](sio::Socket& socket) {
        // A recovered socket is back in its rooms already: count it present again.
        if (socket.recovered())
            for_each_stream_address(socket, [&](const std::string& a) { presence.add(a); });
    });

    server.on("/", "join-stream-room",
              [&presence](sio::Socket& s, const Json& args, const sio::Ack& ack) {
                  const auto arg = read_address(args);
                  if (!arg.error.empty()) return reject(s, arg, ack);
                  const std::string room = stream_room(arg.address);
                  if (s.join(room)) presence.add(arg.address);  // false: already in it
                  confirm(s, "joined-room", arg.address, room, ack);
              });

    server.on("/", "leave-stream-room",
              [&presence](sio::Socket& s, const Json& args, const sio::Ack& ack) {
                  const auto arg = read_address(args);
                  if (!arg.error.empty()) return reject(s, arg, ack);
                  const std::string room = stream_room(arg.address);
                  if (s.leave(room)) presence.remove(arg.address);  // false: was not in it
                  confirm(s, "left-room", arg.address, room, ack);
              });

    // While the socket is still in its rooms: each of its addresses loses one present socket.
    server.on_disconnecting("/", [&presence](sio::Socket& s, std::string_view) {
        for_each_stream_address(s, [&](const std::string& a) { presence.remove(a); });
    });
}

}  // namespace pulse::app
