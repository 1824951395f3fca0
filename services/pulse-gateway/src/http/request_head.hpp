#pragma once
// Reading one HTTP/1.1 request head the way the gateway's listener does: Beast's request parser
// under the head limit (PULSE_HTTP_HEADER_LIMIT), the plain Request the layers above see, and the
// answer to a request that cannot be read. The listener reads its socket with these;
// parse_request_head does the same on bytes in memory (the fuzz target, unit tests).
#include <cstddef>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "http/message.hpp"

namespace pulse::http {

using HeadParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// The Request of a parsed head: method, target and its path / query split at the first '?',
// every header in order with its name lower-cased. Body and remote_address are left empty.
Request request_of(const HeadParser::value_type& head);

// The status to answer a request that could not be read with (then close: the rest of the stream
// cannot be trusted to be framed), or 0 to close without an answer (the peer left, timed out or
// sent nothing). 414 when the head limit was reached within the request line, 431 when in the
// headers, 400 for anything else malformed. The request line was whole when the parser took it
// (it does when the line arrives with its first bytes) or when `buffered`, the bytes read and not
// consumed, holds a line break within the first `header_limit` bytes (once the parser has had to
// wait, it takes nothing before the whole head is there).
unsigned refusal_status(boost::system::error_code ec, const HeadParser& parser,
                        std::string_view buffered, std::size_t header_limit);

struct HeadResult {
    bool complete = false;  // a whole head was read: `request` holds it
    unsigned refusal = 0;   // else, when not 0: refused with this status
    Request request;
};
// Feeds `bytes` to a parser `chunk` bytes at a time (at least 1), as a socket would deliver them.
HeadResult parse_request_head(std::string_view bytes, std::size_t header_limit, std::size_t chunk);

}  // namespace pulse::http
