#include "pulse/jwt/verifier.hpp"

#include <cmath>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "pulse/jwt/base64url.hpp"
#include "signature.hpp"

namespace pulse::jwt {
namespace {

using nlohmann::json;

Result fail(Error error, std::string reason) {
    Result r;
    r.error = error;
    r.reason = std::move(reason);
    return r;
}

// A JSON object with no duplicate member names (RFC 7515 §5.2 lets a JWS parser reject them;
// accepting the last one would let two readers see two different tokens).
std::optional<json> parse_object(std::string_view text) {
    std::vector<std::set<std::string>> names;
    bool duplicate = false;
    auto check = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                names.emplace_back();
                break;
            case json::parse_event_t::object_end:
                if (!names.empty()) names.pop_back();
                break;
            case json::parse_event_t::key:
                if (!names.empty() && !names.back().insert(parsed.get<std::string>()).second)
                    duplicate = true;
                break;
            default:
                break;
        }
        return true;
    };
    try {
        json value = json::parse(text.begin(), text.end(), check);
        if (duplicate || !value.is_object()) return std::nullopt;
        return value;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

// NumericDate (RFC 7519 §2): a JSON number of seconds, fractions allowed; absent -> nullopt,
// present but not a number -> `bad` set.
std::optional<std::int64_t> numeric_date(const json& claims, const char* name, bool& bad) {
    auto it = claims.find(name);
    if (it == claims.end()) return std::nullopt;
    if (!it->is_number()) {
        bad = true;
        return std::nullopt;
    }
    if (it->is_number_integer()) {
        if (it->is_number_unsigned() &&
            it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
            return INT64_MAX;
        return it->get<std::int64_t>();
    }
    const double v = std::floor(it->get<double>());
    if (!std::isfinite(v)) {
        bad = true;
        return std::nullopt;
    }
    if (v >= 9.2e18) return INT64_MAX;
    if (v <= -9.2e18) return INT64_MIN;
    return static_cast<std::int64_t>(v);
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
    return a + b;
}

}  // namespace

std::string_view code(Error error) {
    switch (error) {
        case Error::missing:
            return "missing";
        case Error::malformed:
            return "malformed";
        case Error::algorithm_not_allowed:
            return "algorithm_not_allowed";
        case Error::bad_signature:
            return "bad_signature";
        case Error::expired:
            return "expired";
        case Error::not_yet_valid:
            return "not_yet_valid";
        case Error::wrong_issuer:
            return "wrong_issuer";
        case Error::wrong_audience:
            return "wrong_audience";
    }
    return "malformed";
}

struct Verifier::Keys {
    std::unique_ptr<detail::PublicKey> public_key;
    std::string public_alg;  // "ES256" or "EdDSA"
};

Verifier::Verifier(VerifierConfig config)
    : config_(std::move(config)), keys_(std::make_unique<Keys>()) {
    if (config_.hs256_secret.empty() && config_.public_key_pem.empty())
        throw KeyError(
            "JWT auth needs PULSE_JWT_SECRET (HS256) or PULSE_JWT_PUBLIC_KEY (ES256/EdDSA)");
    // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
    if (!config_.hs256_secret.empty() && config_.hs256_secret.size() < 32)
        throw KeyError("PULSE_JWT_SECRET must be at least 32 bytes");
    if (config_.leeway_s < 0) throw KeyError("PULSE_JWT_LEEWAY_S must be >= 0");
    if (!config_.public_key_pem.empty()) {
        keys_->public_key = std::make_unique<detail::PublicKey>(config_.public_key_pem);
        keys_->public_alg =
            keys_->public_key->type() == detail::KeyType::ec_p256 ? "ES256" : "EdDSA";
    }
}

Verifier::~Verifier() = default;
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;

std::string Verifier::algorithms() const {
    std::string out;
    if (!config_.hs256_secret.empty()) out = "HS256";
    if (keys_->public_key) out += (out.empty() ? "" : ",") + keys_->public_alg;
    return out;
}

std::int64_t Verifier::leeway_s() const {
    return config_.leeway_s;
}

Result Verifier::verify(std::string_view token, std::int64_t now_s) const {
    if (token.empty()) return fail(Error::missing, "no token");
    if (token.size() > kMaxTokenBytes) return fail(Error::malformed, "token too long");

    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return fail(Error::malformed, "not a JWS compact token (header.payload.signature)");
    const std::string_view header_b64 = token.substr(0, dot1);
    const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view signature_b64 = token.substr(dot2 + 1);

    auto header_text = base64url_decode(header_b64);
    if (!header_text) return fail(Error::malformed, "header is not base64url");
    auto header = parse_object(*header_text);
    if (!header) return fail(Error::malformed, "header is not a JSON object");
    auto alg_it = header->find("alg");
    if (alg_it == header->end() || !alg_it->is_string())
        return fail(Error::malformed, "header has no alg");
    const std::string alg = alg_it->get<std::string>();
    const bool hs256 = alg == "HS256" && !config_.hs256_secret.empty();
    const bool public_alg = keys_->public_key && alg == keys_->public_alg;
    if (!hs256 && !public_alg) return fail(Error::algorithm_not_allowed, "algorithm not allowed");
    if (header->contains("crit")) return fail(Error::malformed, "crit header not supported");

    auto signature = base64url_decode(signature_b64);
    if (!signature || signature->empty())
        return fail(Error::malformed, "signature is not base64url");
    const std::string_view signing_input = token.substr(0, dot2);
    const bool good = hs256 ? detail::hs256_verify(config_.hs256_secret, signing_input, *signature)
                            : keys_->public_key->verify(signing_input, *signature);
    if (!good) return fail(Error::bad_signature, "signature does not verify");

    auto payload_text = base64url_decode(payload_b64);
    if (!payload_text) return fail(Error::malformed, "payload is not base64url");
    auto claims = parse_object(*payload_text);
    if (!claims) return fail(Error::malformed, "payload is not a JSON object");

    bool bad_date = false;
    const auto exp = numeric_date(*claims, "exp", bad_date);
    const auto nbf = numeric_date(*claims, "nbf", bad_date);
    const auto iat = numeric_date(*claims, "iat", bad_date);
    if (bad_date) return fail(Error::malformed, "exp, nbf and iat must be numbers");
    if (!exp) return fail(Error::malformed, "token has no exp");
    auto sub_it = claims->find("sub");
    if (sub_it == claims->end() || !sub_it->is_string())
        return fail(Error::malformed, "token has no sub");
    auto iss_it = claims->find("iss");
    if (iss_it != claims->end() && !iss_it->is_string())
        return fail(Error::malformed, "iss must be a string");

    const std::int64_t leeway = config_.leeway_s;
    if (now_s >= saturating_add(*exp, leeway)) return fail(Error::expired, "token expired");
    if (nbf && saturating_add(now_s, leeway) < *nbf)
        return fail(Error::not_yet_valid, "token not valid yet (nbf)");
    if (iat && saturating_add(now_s, leeway) < *iat)
        return fail(Error::not_yet_valid, "token issued in the future (iat)");

    if (!config_.issuer.empty() &&
        (iss_it == claims->end() || iss_it->get<std::string>() != config_.issuer))
        return fail(Error::wrong_issuer, "wrong issuer");
    if (!config_.audience.empty()) {
        bool found = false;
        auto aud_it = claims->find("aud");
        if (aud_it != claims->end() && aud_it->is_string())
            found = aud_it->get<std::string>() == config_.audience;
        else if (aud_it != claims->end() && aud_it->is_array())
            for (const auto& a : *aud_it)
                if (a.is_string() && a.get<std::string>() == config_.audience) found = true;
        if (!found) return fail(Error::wrong_audience, "wrong audience");
    }

    const std::string sub = sub_it->get<std::string>();
    auto subject = parse_subject(sub);
    if (!subject)
        return fail(Error::malformed, "sub is not a Stellar account (G..., M... or G...:memo)");

    Result ok;
    ok.claims = Claims{std::move(*subject), sub, alg, *exp};
    return ok;
}

}  // namespace pulse::jwt
