#include "pulse/jwt/signer.hpp"

#include "pulse/jwt/base64url.hpp"
#include "signature.hpp"

namespace pulse::jwt {

std::string sign_hs256(std::string_view claims_json, std::string_view secret) {
    std::string input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    input += '.';
    input += base64url_encode(claims_json);
    const std::string mac = detail::hs256_sign(secret, input);
    return input + '.' + base64url_encode(mac);
}

}  // namespace pulse::jwt
