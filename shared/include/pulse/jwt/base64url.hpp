#pragma once
// Strict base64url (RFC 4648 §5) as JWS compact serialization uses it: no padding, no whitespace,
// no characters outside [A-Za-z0-9_-], and only the canonical spelling (the unused low bits of
// the last character are zero), so one byte string has exactly one accepted encoding.
#include <optional>
#include <string>
#include <string_view>

namespace pulse::jwt {

std::optional<std::string> base64url_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);

}  // namespace pulse::jwt
