#pragma once
// Which browser origins may talk to the gateway (FRONTEND_URL), and the CORS headers that say so.
// The same check guards WebSocket upgrades: a browser sends Origin on those too, and without the
// check any site could open a socket with the user's cookies (cross-site WebSocket hijacking).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pulse/origin_list.hpp"

namespace pulse::engine {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class OriginPolicy {
  public:
    // "*" anywhere in the list allows every origin. Entries are compared exactly (scheme, host,
    // port), as the browser sends them; a trailing '/' in the configuration is ignored.
    explicit OriginPolicy(std::vector<std::string> allowed);

    // A request without Origin (curl, a native client) is allowed: CORS only concerns browsers.
    bool allows(std::string_view origin) const;

    // Headers for a response to an allowed request carrying `origin` (none when origin is empty):
    // the origin is reflected rather than "*" so that credentials (cookies) stay usable.
    void add_cors_headers(std::string_view origin, HeaderList& headers) const;
    // Extra headers of a preflight (OPTIONS) answer.
    void add_preflight_headers(std::string_view origin, std::string_view requested_headers,
                               HeaderList& headers) const;

  private:
    OriginList allowed_;
};

}  // namespace pulse::engine
