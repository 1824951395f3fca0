#include "http_response.hpp"

#include <cctype>
#include <charconv>

namespace pulse::bench {
namespace {
bool iequals_prefix(std::string_view line, std::string_view name) {
    if (line.size() < name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
    }
    return true;
}
}  // namespace

HttpResponseProbe probe_http_response(std::string_view data) {
    HttpResponseProbe r;
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
        if (data.size() > 16384) {
            r.status = HttpResponseProbe::Status::error;
            r.error = "response head over 16 KiB";
        }
        return r;
    }
    auto fail = [&](const char* why) {
        r.status = HttpResponseProbe::Status::error;
        r.error = why;
        return r;
    };
    if (data.substr(0, 5) != "HTTP/" || data.size() < 12) return fail("not an HTTP response");
    const auto sp = data.find(' ');
    if (sp == std::string_view::npos || sp + 4 > head_end) return fail("no status code");
    auto [p, ec] = std::from_chars(data.data() + sp + 1, data.data() + sp + 4, r.code);
    if (ec != std::errc{} || p != data.data() + sp + 4) return fail("bad status code");

    std::size_t content_length = 0;
    bool has_length = false;
    std::size_t line = data.find("\r\n") + 2;
    while (line < head_end) {
        const std::size_t eol = data.find("\r\n", line);
        const std::string_view l = data.substr(line, eol - line);
        if (iequals_prefix(l, "content-length:")) {
            std::size_t v = 15;
            while (v < l.size() && l[v] == ' ') ++v;
            auto [q, e2] = std::from_chars(l.data() + v, l.data() + l.size(), content_length);
            if (e2 != std::errc{} || q == l.data() + v) return fail("bad Content-Length");
            has_length = true;
        } else if (iequals_prefix(l, "transfer-encoding:")) {
            return fail("chunked responses are not supported by the bench injector");
        }
        line = eol + 2;
    }
    if (!has_length && r.code != 204 && r.code != 304) return fail("no Content-Length");
    const std::size_t total = head_end + 4 + content_length;
    if (data.size() < total) return r;
    r.status = HttpResponseProbe::Status::ok;
    r.total_size = total;
    return r;
}

}  // namespace pulse::bench
