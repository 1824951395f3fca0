#include "http/static_file.hpp"

namespace pulse::http {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string_view opaque(std::string_view tag) {
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
}

}  // namespace

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    if (etag.empty()) return false;
    while (!if_none_match.empty()) {
        const auto comma = if_none_match.find(',');
        const auto item = trim(if_none_match.substr(0, comma));
        if (item == "*" || (!item.empty() && opaque(item) == opaque(etag))) return true;
        if (comma == std::string_view::npos) break;
        if_none_match.remove_prefix(comma + 1);
    }
    return false;
}

Response serve_static(const Request& request, const StaticFile& file) {
    Response r;
    r.headers = file.extra_headers;
    if (!file.etag.empty()) r.headers.emplace_back("ETag", file.etag);
    if (!file.cache_control.empty()) r.headers.emplace_back("Cache-Control", file.cache_control);
    if (etag_matches(request.header("if-none-match"), file.etag)) {
        r.status = 304;
        r.content_type.clear();
        return r;
    }
    r.status = 200;
    r.content_type = file.content_type;
    r.body = file.body;  // also for HEAD: the listener sends its length without it
    return r;
}

}  // namespace pulse::http
