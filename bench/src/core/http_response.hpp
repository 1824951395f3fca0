#pragma once
// Just enough HTTP/1.1 response framing for a keep-alive injector: status code and where the
// response ends (Content-Length bodies; chunked is reported as unsupported, neither server uses it
// for these JSON answers).
#include <cstddef>
#include <string_view>

namespace pulse::bench {

struct HttpResponseProbe {
    enum class Status { need_more, ok, error } status = Status::need_more;
    int code = 0;
    std::size_t total_size = 0;  // head + body, when ok
    const char* error = nullptr;
};

HttpResponseProbe probe_http_response(std::string_view data);

}  // namespace pulse::bench
