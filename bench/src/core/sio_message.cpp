#include "sio_message.hpp"

namespace pulse::bench {

SioMessage classify_message(std::string_view text) {
    SioMessage m;
    if (text.empty()) return m;
    switch (text[0]) {
        case '0':
            m.kind = SioKind::eio_open;
            return m;
        case '1':
            m.kind = SioKind::eio_close;
            return m;
        case '2':
            m.kind = SioKind::eio_ping;
            return m;
        case '6':
            m.kind = SioKind::eio_noop;
            return m;
        case '4':
            break;
        default:
            m.kind = SioKind::other;
            return m;
    }
    if (text.size() < 2) return m;
    switch (text[1]) {
        case '0':
            m.kind = SioKind::sio_connect;
            return m;
        case '1':
            m.kind = SioKind::sio_disconnect;
            return m;
        case '3':
            m.kind = SioKind::sio_ack;
            return m;
        case '4':
            m.kind = SioKind::sio_connect_error;
            return m;
        case '2':
            break;
        default:
            m.kind = SioKind::other;
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
