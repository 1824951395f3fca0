#include "http/request_head.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace pulse::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

Request request_of(const HeadParser::value_type& head) {
    Request r;
    r.method = std::string(head.method_string());
    r.target = std::string(head.target());
    const auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    r.query = q == std::string::npos ? std::string{} : r.target.substr(q + 1);
    r.headers.reserve(static_cast<std::size_t>(std::distance(head.begin(), head.end())));
    for (const auto& field : head)
        r.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    return r;
}

unsigned refusal_status(boost::system::error_code ec, const HeadParser& parser,
                        std::string_view buffered, std::size_t header_limit) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || !parser.got_some())
        return 0;
    if (ec == bhttp::error::header_limit) {
        // A parsed request line always has a target.
        const bool line_whole =
            !parser.get().target().empty() ||
            buffered.substr(0, header_limit).find("\r\n") != std::string_view::npos;
        return line_whole ? 431 : 414;
    }
    return 400;
}

HeadResult parse_request_head(std::string_view bytes, std::size_t header_limit, std::size_t chunk) {
    HeadResult out;
    HeadParser parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(header_limit, UINT32_MAX)));
    parser.eager(false);
    std::string buffered;  // received, not consumed yet: what the listener's buffer holds
    chunk = std::max<std::size_t>(chunk, 1);
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        buffered.append(bytes.substr(at, chunk));
        boost::system::error_code ec;
        for (;;) {
            const std::size_t used = parser.put(asio::buffer(buffered), ec);
            buffered.erase(0, used);
            if (ec || parser.is_header_done() || used == 0) break;
        }
        if (ec == bhttp::error::need_more) continue;
        if (ec) {
            out.refusal = refusal_status(ec, parser, buffered, header_limit);
            return out;
        }
        if (parser.is_header_done()) {
            out.complete = true;
            out.request = request_of(parser.get());
            return out;
        }
    }
    return out;
}

}  // namespace pulse::http
