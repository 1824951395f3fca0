#pragma once
// HS256 token minting for tests, benchmarks and dev tooling. Production tokens come from the
// SEP-10 server; the gateway itself never signs.
#include <string>
#include <string_view>

namespace pulse::jwt {

// header {"alg":"HS256","typ":"JWT"} + the given claims JSON text, signed with `secret`.
std::string sign_hs256(std::string_view claims_json, std::string_view secret);

}  // namespace pulse::jwt
