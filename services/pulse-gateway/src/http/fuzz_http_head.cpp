// Fuzzes the gateway's request head reading (http/request_head.hpp) and the client address taken
// from it (http/client_address.hpp). Arbitrary client bytes, delivered in chunks whose size the
// first input byte picks, must end in a whole head, a refusal the listener documents (400, 414,
// 431) or a need for more bytes. Whether a head within the limit is accepted must not depend on
// how the bytes were split, and no head over twice the limit is accepted. A head's Request must
// be what the layers above rely on: target = path [+ '?' query], lower-case header names. Its
// client address (behind a trusted peer) must be the peer or a valid forwarded address.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/client_address.hpp"
#include "http/request_head.hpp"

namespace {
constexpr std::size_t kHeadLimit = 2048;  // small, so the fuzzer reaches the limit paths
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    using namespace pulse::http;
    const std::size_t chunk = 1 + data[0] % 32;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const HeadResult split = parse_request_head(bytes, kHeadLimit, chunk);
    const HeadResult whole = parse_request_head(bytes, kHeadLimit, bytes.size());
    if (split.refusal != 0 && split.refusal != 400 && split.refusal != 414 && split.refusal != 431)
        __builtin_trap();
    // Beast parses a request line that comes with the first bytes at once, and otherwise waits
    // for the whole head: so whether a bad line is refused before the head is whole, and which of
    // two faults (malformed, too long) is reported, depend on the split. So does the limit: a head
    // in one piece has it for its request line and again for its fields, one in pieces for the
    // whole. Whether a head is accepted may differ only for a head over the limit, and no head
    // over twice the limit is ever accepted.
    const std::size_t end = bytes.find("\r\n\r\n");
    const std::size_t head_size = end == std::string_view::npos ? bytes.size() : end + 4;
    const bool split_decided = split.complete || split.refusal != 0;
    const bool whole_decided = whole.complete || whole.refusal != 0;
    if (split_decided && whole_decided && split.complete != whole.complete &&
        head_size <= kHeadLimit)
        __builtin_trap();
    if ((split.complete || whole.complete) && head_size > 2 * kHeadLimit) __builtin_trap();
    if (!split.complete) return 0;

    const Request& r = split.request;
    if (whole.complete && (r.target != whole.request.target || r.headers != whole.request.headers))
        __builtin_trap();
    const std::string rejoined =
        r.path + (r.target.find('?') == std::string::npos ? "" : "?" + r.query);
    if (rejoined != r.target) __builtin_trap();
    for (const auto& [name, value] : r.headers)
        for (unsigned char c : name)
            if (std::isupper(c)) __builtin_trap();

    static const TrustedProxies trusted = TrustedProxies::parse("127.0.0.0/8,10.0.0.0/8,fd00::/8");
    const auto peer = boost::asio::ip::make_address("127.0.0.1");
    const std::string client = client_address(peer, r.headers, trusted);
    if (client != "127.0.0.1") {
        // Only a forwarded entry can name another client, and it is always a real address.
        bool forwarded = false;
        for (const auto& [name, value] : r.headers)
            forwarded = forwarded || name == "x-forwarded-for";
        boost::system::error_code ec;
        boost::asio::ip::make_address(client, ec);
        if (!forwarded || ec) __builtin_trap();
    }
    return 0;
}
