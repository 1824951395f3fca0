#pragma once
// The JWS signature algorithms over OpenSSL 3's EVP interface (no hand-written crypto).
// Private to pulse_jwt: keys are loaded once, verification is const and thread-safe.
#include <memory>
#include <string>
#include <string_view>

namespace pulse::jwt::detail {

enum class KeyType { ec_p256, ed25519 };

// An EVP_PKEY holding a public key. Throws KeyError when the PEM does not parse or is another
// key type (RSA, another curve, a private key).
class PublicKey {
  public:
    explicit PublicKey(const std::string& pem);
    ~PublicKey();
    PublicKey(const PublicKey&) = delete;
    PublicKey& operator=(const PublicKey&) = delete;

    KeyType type() const { return type_; }
    // ES256: `signature` is JWS's raw R||S (64 bytes), converted to DER for OpenSSL.
    // EdDSA: the 64-byte Ed25519 signature.
    bool verify(std::string_view signing_input, std::string_view signature) const;

  private:
    void* pkey_ = nullptr;  // EVP_PKEY*, kept opaque so OpenSSL headers stay in one file
    KeyType type_ = KeyType::ec_p256;
};

// HMAC-SHA256 compared in constant time (CRYPTO_memcmp).
bool hs256_verify(std::string_view secret, std::string_view signing_input,
                  std::string_view signature);
std::string hs256_sign(std::string_view secret, std::string_view signing_input);

}  // namespace pulse::jwt::detail
