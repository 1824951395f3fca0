#pragma once
// Verifies SEP-10 JWTs (JWS compact serialization) as Stellar web-auth servers issue them: HS256
// with a shared secret (Anchor Platform, Polaris), ES256 (stellar/go webauth) or EdDSA (Ed25519)
// with a PEM public key. Pure: no I/O, no clock (the caller passes "now"), thread-safe once built.
//
// Deny by default: only the algorithms the configuration enables are accepted ("none" never is);
// `exp` is required; a `crit` header is refused (no extension is understood); duplicate JSON
// members, non-canonical base64url and trailing bytes are malformed.
//
// Error codes (stable strings, sent to clients in CONNECT_ERROR data.code):
//   missing                no token
//   malformed              not three strict base64url parts of JSON objects, a claim of the
//                          wrong type, no exp, or a sub that is not a Stellar account
//   algorithm_not_allowed  header alg is not one the configuration enables
//   bad_signature          the signature does not verify with the configured key
//   expired                now >= exp + leeway
//   not_yet_valid          now + leeway < nbf, or iat is in the future beyond the leeway
//   wrong_issuer           PULSE_JWT_ISSUER set and iss differs
//   wrong_audience         PULSE_JWT_AUDIENCE set and not in aud (string or array)
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pulse/jwt/subject.hpp"

namespace pulse::jwt {

enum class Error {
    missing,
    malformed,
    algorithm_not_allowed,
    bad_signature,
    expired,
    not_yet_valid,
    wrong_issuer,
    wrong_audience,
};

std::string_view code(Error error);  // "bad_signature", ...

struct VerifierConfig {
    std::string hs256_secret;    // raw bytes (PULSE_JWT_SECRET); empty: HS256 off
    std::string public_key_pem;  // PULSE_JWT_PUBLIC_KEY: EC P-256 -> ES256, Ed25519 -> EdDSA
    std::int64_t leeway_s = 30;  // PULSE_JWT_LEEWAY_S
    std::string issuer;          // PULSE_JWT_ISSUER; empty: iss not checked
    std::string audience;        // PULSE_JWT_AUDIENCE; empty: aud not checked
};

// A configuration that cannot verify anything safely: no key at all, a secret shorter than
// 32 bytes, a PEM that does not parse or holds another key type, a negative leeway.
struct KeyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Claims {
    Subject subject;
    std::string sub;       // as in the token
    std::string alg;       // the verified algorithm
    std::int64_t exp = 0;  // seconds since the epoch (fraction dropped)
};

struct Result {
    std::optional<Claims> claims;  // set when the token is valid
    Error error = Error::missing;  // meaningful when claims is empty
    std::string reason;            // a short human-readable sentence, never the token itself
    explicit operator bool() const { return claims.has_value(); }
};

inline constexpr std::size_t kMaxTokenBytes = 8192;

class Verifier {
  public:
    explicit Verifier(VerifierConfig config);  // throws KeyError
    ~Verifier();
    Verifier(Verifier&&) noexcept;
    Verifier& operator=(Verifier&&) noexcept;

    // `now_s`: seconds since the Unix epoch.
    Result verify(std::string_view token, std::int64_t now_s) const;

    // The algorithms this configuration accepts, e.g. "HS256,ES256".
    std::string algorithms() const;
    std::int64_t leeway_s() const;

    struct Keys;

  private:
    VerifierConfig config_;
    std::unique_ptr<Keys> keys_;
};

}  // namespace pulse::jwt
