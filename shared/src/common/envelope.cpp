#include "pulse/envelope.hpp"

#include "pulse/json_text.hpp"

#include "envelope_rules.hpp"

#include <array>
#include <set>
#include <unordered_set>

namespace pulse::envelope {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 6> kKeys = {"v", "epoch", "seq", "event", "rooms", "data"};

bool is_known_key(std::string_view key) {
    for (auto k : kKeys)
        if (k == key) return true;
    return false;
}

DecodeResult fail(std::string message) {
    return DecodeResult{std::nullopt, std::move(message)};
}

}  // namespace

namespace detail {

std::string check_fields(int v, const std::string& epoch, std::int64_t seq,
                         const std::string& event, const std::vector<std::string>& rooms) {
    if (v != kVersion) return "v: unsupported version " + std::to_string(v) + " (expected 1)";
    if (epoch.empty()) return "epoch: must be a non-empty string";
    if (epoch.size() > kMaxEpochBytes) return "epoch: longer than 128 bytes";
    if (seq < 1) return "seq: must be an integer >= 1";
    if (event.empty()) return "event: must be a non-empty string";
    if (event.size() > kMaxEventNameBytes) return "event: longer than 128 bytes";
    if (is_reserved_event_name(event)) return "event: '" + event + "' is reserved by Socket.IO";
    if (rooms.empty()) return "rooms: must hold at least one room";
    if (rooms.size() > kMaxRooms) return "rooms: more than 1024 rooms";
    std::set<std::string_view> seen;
    for (const auto& room : rooms) {
        if (room.empty()) return "rooms: a room name is empty";
        if (room.size() > kMaxRoomBytes) return "rooms: a room name is longer than 256 bytes";
        if (!seen.insert(room).second) return "rooms: '" + room + "' is listed twice";
    }
    return {};
}

}  // namespace detail

using detail::check_fields;

bool is_reserved_event_name(std::string_view name) {
    // socket.io/lib/socket.ts RESERVED_EVENTS
    static constexpr std::array<std::string_view, 6> reserved = {
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
    for (auto r : reserved)
        if (r == name) return true;
    return false;
}

std::string encode(const Envelope& e) {
    return encode(e.v, e.epoch, e.seq, e.event, e.rooms, e.data.dump());
}

std::string encode(int v, std::string_view epoch, std::int64_t seq, std::string_view event,
                   const std::vector<std::string>& rooms, std::string_view data_json) {
    // Written directly (no copy of rooms and data into a json tree): the lifecycle encodes every
    // event it publishes. Same bytes as an ordered_json of the six keys would dump.
    std::string rooms_text = "[";
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        if (i) rooms_text.push_back(',');
        json_text::append_string(rooms_text, rooms[i]);
    }
    rooms_text.push_back(']');
    json_text::ObjectWriter out(160 + rooms_text.size());
    out.integer("v", v)
        .string("epoch", epoch)
        .integer("seq", seq)
        .string("event", event)
        .raw("rooms", rooms_text)
        .raw("data", data_json);
    return out.finish();
}

std::string validate(const Envelope& e) {
    if (auto err = check_fields(e.v, e.epoch, e.seq, e.event, e.rooms); !err.empty()) return err;
    if (!e.data.is_object()) return "data: must be an object";
    return {};
}

DecodeResult decode(std::string_view text) noexcept {
    try {
        if (text.size() > kMaxEnvelopeBytes) return fail("envelope larger than 1 MiB");
        // nlohmann keeps the last of duplicate keys silently; the callback sees every top-level key
        // so a duplicate (an ambiguous message) is refused instead.
        std::unordered_set<std::string> top_keys;
        bool duplicate = false;
        std::string duplicate_key;
        auto on_event = [&](int depth, nlohmann::ordered_json::parse_event_t ev,
                            nlohmann::ordered_json& parsed) {
            if (ev == nlohmann::ordered_json::parse_event_t::key && depth == 1 &&
                parsed.is_string()) {
                if (!top_keys.insert(parsed.get<std::string>()).second && !duplicate) {
                    duplicate = true;
                    duplicate_key = parsed.get<std::string>();
                }
            }
            return true;
        };
        nlohmann::ordered_json doc;
        try {
            doc = nlohmann::ordered_json::parse(text.begin(), text.end(), on_event);
        } catch (const nlohmann::json::parse_error& e) {
            return fail(std::string("invalid JSON: ") + e.what());
        }
        if (!doc.is_object()) return fail("envelope must be a JSON object");
        if (duplicate) return fail(duplicate_key + ": duplicate key");
        for (auto it = doc.begin(); it != doc.end(); ++it)
            if (!is_known_key(it.key())) return fail(it.key() + ": unknown key");
        for (auto key : kKeys)
            if (!doc.contains(key)) return fail(std::string(key) + ": missing");

        Envelope e;
        const auto& v = doc["v"];
        if (!v.is_number_integer()) return fail("v: must be the integer 1");
        if (v.get<std::int64_t>() != kVersion)
            return fail("v: unsupported version " + v.dump() + " (expected 1)");
        e.v = kVersion;

        const auto& epoch = doc["epoch"];
        if (!epoch.is_string()) return fail("epoch: must be a non-empty string");
        e.epoch = epoch.get<std::string>();

        // is_number_integer excludes 1.0 and 1e3 (parsed as floats); unsigned values above
        // int64 max are refused rather than wrapped.
        const auto& seq = doc["seq"];
        if (!seq.is_number_integer()) return fail("seq: must be an integer >= 1");
        if (seq.is_number_unsigned() &&
            seq.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
            return fail("seq: larger than 2^63-1");
        e.seq = seq.get<std::int64_t>();

        const auto& event = doc["event"];
        if (!event.is_string()) return fail("event: must be a non-empty string");
        e.event = event.get<std::string>();

        const auto& rooms = doc["rooms"];
        if (!rooms.is_array()) return fail("rooms: must be an array of strings");
        if (rooms.size() > kMaxRooms) return fail("rooms: more than 1024 rooms");
        e.rooms.reserve(rooms.size());
        for (const auto& room : rooms) {
            if (!room.is_string()) return fail("rooms: every room must be a string");
            e.rooms.push_back(room.get<std::string>());
        }

        if (auto err = check_fields(e.v, e.epoch, e.seq, e.event, e.rooms); !err.empty())
            return fail(std::move(err));

        auto& data = doc["data"];
        if (!data.is_object()) return fail("data: must be an object");
        e.data = std::move(data);
        return DecodeResult{std::move(e), {}};
    } catch (const std::exception& e) {
        // bad_alloc or anything unforeseen: still a clean failure for the caller
        return fail(std::string("envelope rejected: ") + e.what());
    }
}

}  // namespace pulse::envelope
