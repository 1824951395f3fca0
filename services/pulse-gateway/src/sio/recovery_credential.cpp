#include "sio/recovery_credential.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace pulse::sio {
namespace {

std::string base64url(const unsigned char* data, std::size_t size) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 2 < size; i += 3) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < size) {
        const unsigned v = (data[i] << 16) | (i + 1 < size ? data[i + 1] << 8 : 0);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        if (i + 1 < size) out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

// A domain label, so the same key used for anything else never yields a valid credential.
constexpr std::string_view kLabel = "pulse-recovery-v1:";

}  // namespace

RecoveryCredential::RecoveryCredential(std::string key) : key_(std::move(key)) {
    if (key_.size() < 16)
        throw std::invalid_argument("the recovery key must be at least 16 bytes long");
}

std::string RecoveryCredential::mac(std::string_view sid) const {
    std::string message(kLabel);
    message.append(sid);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
              &length))
        throw std::runtime_error("HMAC-SHA256 failed");
    return base64url(digest, length);
}

std::string RecoveryCredential::issue(std::string_view sid) const {
    std::string pid(sid);
    pid += '.';
    pid += mac(sid);
    return pid;
}

std::optional<std::string> RecoveryCredential::verify(std::string_view pid) const {
    const auto dot = pid.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || pid.size() > 256) return std::nullopt;
    const std::string_view sid = pid.substr(0, dot);
    const std::string_view given = pid.substr(dot + 1);
    const std::string expected = mac(sid);
    if (given.size() != expected.size() ||
        CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0)
        return std::nullopt;
    return std::string(sid);
}

}  // namespace pulse::sio
