#pragma once
// CORS for the lifecycle's browser-facing API (/api/*): a page served from an origin listed in
// FRONTEND_URL may call it (preflight answered, Access-Control-Allow-Origin on the answer); any
// other origin gets no CORS header at all, so the browser keeps the answer from the page.
// Requests without Origin (curl, servers) are not concerned.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "pulse/origin_list.hpp"

namespace pulse::lifecycle {

class Cors {
  public:
    // "*" allows every origin; entries compare exactly with what browsers send (scheme, host,
    // port); a trailing '/' in the configuration is ignored.
    explicit Cors(std::vector<std::string> allowed_origins);

    bool allows(std::string_view origin) const;

    // The answer to an OPTIONS request on an API `path`: a preflight (Origin + Access-Control-
    // Request-Method) of an allowed origin for POST with allowed headers gets 204 with the CORS
    // headers; anything else refused 403 JSON without them; a plain OPTIONS 204 with Allow.
    // nullopt: not OPTIONS, or not an API path (the router answers those as before).
    std::optional<http::Response> preflight(const http::Request& request,
                                            std::string_view path) const;

    // Adds Access-Control-Allow-Origin (+ Vary) to the answer of an allowed origin's request.
    void decorate(const http::Request& request, std::string_view path,
                  http::Response& response) const;

    static bool applies_to(std::string_view path);  // the API paths a browser page may call

  private:
    OriginList allowed_;
};

}  // namespace pulse::lifecycle
