#include "test_keys.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "pulse/jwt/base64url.hpp"
#include "pulse/jwt/signer.hpp"

namespace jwt_test {
namespace {

std::string public_pem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return pem;
}

std::string raw_from_der(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    if (!sig) throw std::runtime_error("bad DER signature");
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
    return std::string(reinterpret_cast<char*>(raw), 64);
}

}  // namespace

KeyPair::KeyPair(KeyPair&& other) noexcept
    : public_pem(std::move(other.public_pem)), private_key(other.private_key) {
    other.private_key = nullptr;
}

KeyPair::~KeyPair() {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(private_key));
}

KeyPair generate(const char* type) {
    EVP_PKEY* key = nullptr;
    const std::string t(type);
    if (t == "EC")
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    else if (t == "EC-P384")
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
    else if (t == "RSA")
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    else
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    if (!key) throw std::runtime_error(std::string("keygen failed: ") + type);
    KeyPair pair;
    pair.public_pem = public_pem(key);
    pair.private_key = key;
    return pair;
}

std::string sign(const KeyPair& key, std::string_view alg, std::string_view header_json,
                 std::string_view claims_json) {
    using pulse::jwt::base64url_encode;
    const std::string input = base64url_encode(header_json) + "." + base64url_encode(claims_json);
    auto* pkey = static_cast<EVP_PKEY*>(key.private_key);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const EVP_MD* md = alg == "ES256" ? EVP_sha256() : nullptr;
    size_t len = 0;
    std::string sig;
    if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, pkey) != 1 ||
        EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) != 1)
        throw std::runtime_error("sign init failed");
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
        throw std::runtime_error("sign failed");
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (alg == "ES256") sig = raw_from_der(sig);
    return input + "." + base64url_encode(sig);
}

std::string ed25519_pem_from_raw(const std::string& raw) {
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    if (!key) throw std::runtime_error("bad raw Ed25519 key");
    std::string pem = public_pem(key);
    EVP_PKEY_free(key);
    return pem;
}

}  // namespace jwt_test
