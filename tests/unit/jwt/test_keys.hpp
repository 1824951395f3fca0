#pragma once
// Keys generated with OpenSSL for the verifier tests, and JWS signing with them (the verifier
// itself never signs ES256/EdDSA).
#include <string>
#include <string_view>

namespace jwt_test {

struct KeyPair {
    std::string public_pem;
    void* private_key = nullptr;  // EVP_PKEY*
    KeyPair() = default;
    KeyPair(KeyPair&&) noexcept;
    KeyPair& operator=(KeyPair&&) = delete;
    ~KeyPair();
};

KeyPair generate(const char* type);  // "EC" (P-256), "ED25519", "EC-P384", "RSA"
// Signs header.payload (both JSON texts) and returns the compact token.
std::string sign(const KeyPair& key, std::string_view alg, std::string_view header_json,
                 std::string_view claims_json);
// PEM of a raw Ed25519 public key (RFC 8037 test vectors give keys as raw bytes).
std::string ed25519_pem_from_raw(const std::string& raw);

}  // namespace jwt_test
