#pragma once
// An in-memory file served with an ETag: a request whose If-None-Match names the same tag gets
// 304 without a body (how browsers revalidate a cached script), anything else the file.
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace pulse::http {

struct StaticFile {
    std::string body;
    std::string content_type;   // e.g. "application/javascript; charset=utf-8"
    std::string etag;           // quoted entity tag, e.g. "\"4.8.4\""
    std::string cache_control;  // e.g. "public, max-age=0"
    HeaderList extra_headers;   // sent with 200 and 304 alike
};

// If-None-Match semantics (RFC 9110 13.1.2): "*" or any listed tag equal to `etag` under weak
// comparison (a W/ prefix on either side is ignored).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

Response serve_static(const Request& request, const StaticFile& file);

}  // namespace pulse::http
