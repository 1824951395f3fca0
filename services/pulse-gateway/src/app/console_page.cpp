#include "app/console_page.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "http/static_file.hpp"

namespace pulse::app {
namespace {

// A content tag for the page (FNV-1a): it changes whenever the compiled-in page does.
std::string content_tag(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

void install_console(http::Router& router, bool enabled) {
    if (!enabled) {
        router.get("/console", [](const http::Request&) {
            return http::json_response(
                404, R"({"error":"the console is off; PULSE_CONSOLE=on enables it"})");
        });
        return;
    }
    auto page = std::make_shared<http::StaticFile>();
    page->body = std::string(console_html());
    page->content_type = "text/html; charset=utf-8";
    page->etag = content_tag(page->body);
    page->cache_control = "no-cache";
    // The page's own script and style are inline; it talks only to this origin.
    page->extra_headers = {
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
         "connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
         "form-action 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
    };
    router.get("/console",
               [page = std::shared_ptr<const http::StaticFile>(page)](
                   const http::Request& request) { return http::serve_static(request, *page); });
}

}  // namespace pulse::app
