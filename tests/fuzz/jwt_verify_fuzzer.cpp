// Fuzzes the JWT verifier two ways: the input as a whole token (header, base64url and signature
// handling), and the input as a claims text signed with the configured secret (so the claims
// parser and time/subject checks are reached past the signature).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pulse/jwt/signer.hpp"
#include "pulse/jwt/verifier.hpp"

namespace {
const std::string kSecret = "fuzz-secret-fuzz-secret-fuzz-secret!";

const pulse::jwt::Verifier& verifier() {
    static const pulse::jwt::Verifier v([] {
        pulse::jwt::VerifierConfig c;
        c.hs256_secret = kSecret;
        c.issuer = "https://auth.example";
        c.audience = "pulse";
        return c;
    }());
    return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    constexpr std::int64_t now = 1800000000;
    if (data[0] & 1) {
        (void)verifier().verify(pulse::jwt::sign_hs256(rest, kSecret), now);
    } else {
        auto r = verifier().verify(rest, now);
        // Whatever was accepted must name a usable account.
        if (r && r.claims->subject.account.empty()) __builtin_trap();
    }
    return 0;
}
