#pragma once
// Gap repair: fetches the events a gateway missed from the lifecycle's replay endpoint
// (proto/README.md: GET /internal/outbox?after=SEQ&limit=N on the lifecycle's HTTP port). Called on
// the bus thread only, synchronously and with a short timeout: while it runs ZeroMQ keeps
// queueing, and a failed repair is logged and counted, never fatal.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pulse/envelope.hpp>

namespace pulse::bus {

struct HttpEndpoint {
    std::string host;
    std::string port;
    std::string base_path;  // without a trailing '/', may be empty
};

// "http://host:port[/prefix]" (port defaults to 80). Returns nullopt for anything else.
std::optional<HttpEndpoint> parse_http_url(std::string_view url);

struct ReplayPage {
    std::string epoch;
    std::int64_t last_seq = 0;
    bool has_more = false;
    std::vector<envelope::RawEnvelope> events;
};

// Parses the replay endpoint's answer; every event must be a valid envelope. Never throws.
std::optional<ReplayPage> parse_replay_page(std::string_view body, std::string& error);

class ReplayClient {
  public:
    // Throws std::invalid_argument naming the URL when it is not http://host[:port][/path].
    // `token`: sent as "Authorization: Bearer <token>" when not empty (PULSE_REPLAY_TOKEN).
    explicit ReplayClient(const std::string& url, std::string token = {},
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

    // Events with seq > after, at most `limit`; nullopt (and `error`) on any failure.
    std::optional<ReplayPage> fetch_after(std::int64_t after, std::size_t limit,
                                          std::string& error);

    const std::string& url() const { return url_; }

  private:
    std::string url_;
    HttpEndpoint endpoint_;
    std::string token_;
    std::chrono::milliseconds timeout_;
};

}  // namespace pulse::bus
