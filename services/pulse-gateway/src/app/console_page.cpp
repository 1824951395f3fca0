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

// The page's policy: everything from this origin, nothing inline, no framing.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

void install_console(http::Router& router, bool enabled) {
    struct Part {
        const char* path;
        std::string_view body;
        const char* content_type;
    };
    const Part parts[] = {
        {"/console", console_html(), "text/html; charset=utf-8"},
        {"/console/console.js", console_script(), "application/javascript; charset=utf-8"},
        {"/console/console.css", console_style(), "text/css; charset=utf-8"},
    };
    for (const auto& part : parts) {
        if (!enabled) {
            router.get(part.path, [](const http::Request&) {
                return http::json_response(
                    404, R"({"error":"the console is off; PULSE_CONSOLE=on enables it"})");
            });
            continue;
        }
        auto file = std::make_shared<http::StaticFile>();
        file->body = std::string(part.body);
        file->content_type = part.content_type;
        file->etag = content_tag(file->body);
        file->cache_control = "no-cache";
        file->extra_headers = {
            {"Content-Security-Policy", kPolicy},
            {"X-Content-Type-Options", "nosniff"},
            {"Referrer-Policy", "no-referrer"},
        };
        router.get(part.path, [file = std::shared_ptr<const http::StaticFile>(file)](
                                  const http::Request& request) {
            return http::serve_static(request, *file);
        });
    }
}

}  // namespace pulse::app
