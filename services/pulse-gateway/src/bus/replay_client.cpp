#include "bus/replay_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace pulse::bus {

std::optional<HttpEndpoint> parse_http_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
    url.remove_prefix(scheme.size());
    const auto slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (authority.empty()) return std::nullopt;
    HttpEndpoint e;
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
        e.host = authority;
        e.port = "80";
    } else {
        e.host = authority.substr(0, colon);
        e.port = authority.substr(colon + 1);
        if (e.port.empty() || e.port.size() > 5 ||
            e.port.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
    }
    if (e.host.empty()) return std::nullopt;
    e.base_path = path;
    return e;
}

std::optional<ReplayPage> parse_replay_page(std::string_view body, std::string& error) {
    // ordered_json: an event's data keeps the key order it was written in, so a repaired event
    // reaches sockets with the same bytes as a live one (and in the one-pass form).
    const auto j = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
        error = "replay answer is not a JSON object";
        return std::nullopt;
    }
    ReplayPage page;
    auto epoch = j.find("epoch");
    auto last = j.find("lastSeq");
    auto more = j.find("hasMore");
    auto events = j.find("events");
    if (epoch == j.end() || !epoch->is_string() || last == j.end() || !last->is_number_integer() ||
        more == j.end() || !more->is_boolean() || events == j.end() || !events->is_array()) {
        error = "replay answer lacks epoch/lastSeq/hasMore/events";
        return std::nullopt;
    }
    page.epoch = epoch->get<std::string>();
    page.last_seq = last->get<std::int64_t>();
    page.has_more = more->get<bool>();
    for (const auto& item : *events) {
        // The same strict rules as on the bus: one bad item spoils the page.
        auto decoded = envelope::decode_raw(item.dump());
        if (!decoded) {
            error = "replay event: " + decoded.error;
            return std::nullopt;
        }
        page.events.push_back(std::move(*decoded.envelope));
    }
    return page;
}

ReplayClient::ReplayClient(const std::string& url, std::string token,
                           std::chrono::milliseconds timeout)
    : url_(url), token_(std::move(token)), timeout_(timeout) {
    auto e = parse_http_url(url);
    if (!e) throw std::invalid_argument("not an http://host:port URL: " + url);
    endpoint_ = std::move(*e);
}

std::optional<ReplayPage> ReplayClient::fetch_after(std::int64_t after, std::size_t limit,
                                                    std::string& error) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    try {
        boost::asio::io_context io;
        boost::asio::ip::tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.expires_after(timeout_);
        stream.connect(resolver.resolve(endpoint_.host, endpoint_.port));
        const std::string target = endpoint_.base_path +
                                   "/internal/outbox?after=" + std::to_string(after) +
                                   "&limit=" + std::to_string(limit);
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, endpoint_.host);
        req.set(http::field::connection, "close");
        if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(8 * 1024 * 1024);
        http::read(stream, buffer, parser);
        beast::error_code ignored;
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        const auto& res = parser.get();
        if (res.result() != http::status::ok) {
            error = "replay answered HTTP " + std::to_string(res.result_int());
            return std::nullopt;
        }
        return parse_replay_page(res.body(), error);
    } catch (const std::exception& e) {
        error = std::string("replay request failed: ") + e.what();
        return std::nullopt;
    }
}

}  // namespace pulse::bus
