#include "http/upgrade.hpp"

namespace pulse::http {

bool header_has_token(std::string_view value, std::string_view token) {
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

bool is_websocket_upgrade(const Request& r) {
    return header_has_token(r.header("upgrade"), "websocket") &&
           header_has_token(r.header("connection"), "upgrade");
}

}  // namespace pulse::http
