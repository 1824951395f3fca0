#pragma once
// SHA-1 (FIPS 180-4), needed only for the WebSocket handshake's Sec-WebSocket-Accept (RFC 6455
// section 4.2.2). Not used for anything security related.
#include <array>
#include <string_view>

namespace pulse::engine {

std::array<unsigned char, 20> sha1(std::string_view data);

}  // namespace pulse::engine
