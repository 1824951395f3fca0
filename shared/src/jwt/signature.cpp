#include "signature.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstring>

#include "pulse/jwt/verifier.hpp"

namespace pulse::jwt::detail {
namespace {

EVP_PKEY* as_pkey(void* p) {
    return static_cast<EVP_PKEY*>(p);
}

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

// JWS ES256 signatures are R||S, 32 bytes each (RFC 7518 §3.4); OpenSSL verifies DER.
std::string es256_to_der(std::string_view raw) {
    if (raw.size() != 64) return {};
    ECDSA_SIG* sig = ECDSA_SIG_new();
    if (!sig) return {};
    BIGNUM* r = BN_bin2bn(bytes(raw), 32, nullptr);
    BIGNUM* s = BN_bin2bn(bytes(raw) + 32, 32, nullptr);
    if (!r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return {};
    }
    std::string der;
    unsigned char* out = nullptr;
    const int n = i2d_ECDSA_SIG(sig, &out);
    if (n > 0) der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    ECDSA_SIG_free(sig);
    return der;
}

}  // namespace

PublicKey::PublicKey(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (!bio) throw KeyError("PULSE_JWT_PUBLIC_KEY: out of memory");
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key)
        throw KeyError(
            "PULSE_JWT_PUBLIC_KEY: not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
    pkey_ = key;
    if (EVP_PKEY_is_a(key, "ED25519")) {
        type_ = KeyType::ed25519;
        return;
    }
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
        (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0)) {
        type_ = KeyType::ec_p256;
        return;
    }
    EVP_PKEY_free(key);
    pkey_ = nullptr;
    throw KeyError(
        "PULSE_JWT_PUBLIC_KEY: unsupported key type (an EC P-256 key for ES256 or an Ed25519 "
        "key for EdDSA)");
}

PublicKey::~PublicKey() {
    EVP_PKEY_free(as_pkey(pkey_));
}

bool PublicKey::verify(std::string_view signing_input, std::string_view signature) const {
    std::string der;
    std::string_view sig = signature;
    const EVP_MD* md = nullptr;
    if (type_ == KeyType::ec_p256) {
        der = es256_to_der(signature);
        if (der.empty()) return false;
        sig = der;
        md = EVP_sha256();
    } else if (signature.size() != 64) {
        return false;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx) return false;
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, as_pkey(pkey_)) == 1 &&
              EVP_DigestVerify(ctx, bytes(sig), sig.size(), bytes(signing_input),
                               signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

std::string hs256_sign(std::string_view secret, std::string_view signing_input) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), bytes(signing_input),
              signing_input.size(), mac, &len))
        return {};
    return std::string(reinterpret_cast<char*>(mac), len);
}

bool hs256_verify(std::string_view secret, std::string_view signing_input,
                  std::string_view signature) {
    const std::string expected = hs256_sign(secret, signing_input);
    if (expected.empty() || signature.size() != expected.size()) return false;
    return CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

}  // namespace pulse::jwt::detail
