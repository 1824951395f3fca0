#include "sio_message.hpp"

#include <optional>

namespace pulse::bench {

namespace {

struct TypeKind {
    char type;
    SioKind kind;
};
// Engine.IO packet types besides a message ('4', looked into below).
constexpr TypeKind kEngineTypes[] = {{'0', SioKind::eio_open},
                                     {'1', SioKind::eio_close},
                                     {'2', SioKind::eio_ping},
                                     {'6', SioKind::eio_noop}};
// Socket.IO packet types besides an event ('2', looked into below).
constexpr TypeKind kSocketIoTypes[] = {{'0', SioKind::sio_connect},
                                       {'1', SioKind::sio_disconnect},
                                       {'3', SioKind::sio_ack},
                                       {'4', SioKind::sio_connect_error}};

// The kind of packet `type` per `table`; nullopt when it is `deeper` (the caller parses on);
// `other` for a type the table does not know.
template <std::size_t N>
std::optional<SioKind> kind_of(const TypeKind (&table)[N], char type, char deeper) {
    if (type == deeper) return std::nullopt;
    for (const auto& e : table)
        if (e.type == type) return e.kind;
    return SioKind::other;
}

}  // namespace

SioMessage classify_message(std::string_view text) {
    SioMessage m;
    if (text.empty()) return m;
    if (auto kind = kind_of(kEngineTypes, text[0], '4')) {
        m.kind = *kind;
        return m;
    }
    if (text.size() < 2) return m;
    if (auto kind = kind_of(kSocketIoTypes, text[1], '2')) {
        m.kind = *kind;
        return m;
    }
    std::size_t pos = 2;
    // Default namespace only: a "/nsp," prefix is not something this client ever joins.
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;  // ack id
    if (text.size() < pos + 3 || text[pos] != '[' || text[pos + 1] != '"') return m;
    const std::size_t name_begin = pos + 2;
    const std::size_t name_end = text.find('"', name_begin);
    if (name_end == std::string_view::npos) return m;
    m.kind = SioKind::sio_event;
    m.event = text.substr(name_begin, name_end - name_begin);
    m.rest = text.substr(name_end + 1);
    return m;
}

std::string_view string_field(std::string_view json, std::string_view key) {
    std::size_t from = 0;
    while (true) {
        const std::size_t at = json.find(key, from);
        if (at == std::string_view::npos) return {};
        const std::size_t after = at + key.size();
        // The match must be a whole key: "key":"  (quote before, quote-colon-quote after).
        if (at > 0 && json[at - 1] == '"' && json.substr(after, 3) == "\":\"") {
            const std::size_t begin = after + 3;
            const std::size_t end = json.find('"', begin);
            if (end == std::string_view::npos) return {};
            const std::string_view value = json.substr(begin, end - begin);
            if (value.find('\\') != std::string_view::npos) return {};
            return value;
        }
        from = after;
    }
}

}  // namespace pulse::bench
