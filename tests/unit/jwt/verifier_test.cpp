#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "pulse/jwt/base64url.hpp"
#include "pulse/jwt/signer.hpp"
#include "pulse/jwt/verifier.hpp"
#include "test_keys.hpp"

using pulse::jwt::base64url_decode;
using pulse::jwt::base64url_encode;
using pulse::jwt::Error;
using pulse::jwt::KeyError;
using pulse::jwt::sign_hs256;
using pulse::jwt::Verifier;
using pulse::jwt::VerifierConfig;

namespace {

const std::string kSecret = "a-test-secret-that-is-32-bytes-long!";
const std::string kG = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
constexpr std::int64_t kNow = 1800000000;

VerifierConfig hs_config() {
    VerifierConfig c;
    c.hs256_secret = kSecret;
    return c;
}

std::string claims(std::int64_t exp = kNow + 3600, const std::string& extra = "") {
    return R"({"iss":"https://auth.example","sub":")" + kG + R"(","iat":)" +
           std::to_string(kNow - 10) + R"(,"exp":)" + std::to_string(exp) + extra + "}";
}

// A verifier that accepts only ES256 with `key`'s public half.
Verifier es256_only(const jwt_test::KeyPair& key) {
    VerifierConfig c;
    c.public_key_pem = key.public_pem;
    return Verifier(c);
}

Error error_of(const Verifier& v, const std::string& token, std::int64_t now = kNow) {
    auto r = v.verify(token, now);
    INFO(r.reason);
    REQUIRE_FALSE(r);
    return r.error;
}

}  // namespace

TEST_CASE("jwt: a valid HS256 token names its account and room", "[jwt]") {
    Verifier v(hs_config());
    CHECK(v.algorithms() == "HS256");
    auto r = v.verify(sign_hs256(claims(), kSecret), kNow);
    INFO(r.reason);
    REQUIRE(r);
    CHECK(r.claims->subject.account == kG);
    CHECK(r.claims->sub == kG);
    CHECK(r.claims->alg == "HS256");
    CHECK(r.claims->exp == kNow + 3600);

    auto memo =
        v.verify(sign_hs256(R"({"sub":")" + kG + R"(:42","exp":)" + std::to_string(kNow + 60) + "}",
                            kSecret),
                 kNow);
    REQUIRE(memo);
    CHECK(memo.claims->subject.account == kG);
    CHECK(memo.claims->subject.memo == "42");
}

TEST_CASE("jwt: RFC 7515 A.1 HS256 vector verifies (then lacks a sub)", "[jwt]") {
    VerifierConfig c;
    c.hs256_secret = *base64url_decode(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
    c.leeway_s = 0;
    Verifier v(c);
    const std::string token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
        "cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    auto r = v.verify(token, 1300819379);
    CHECK(r.error == Error::malformed);
    CHECK(r.reason == "token has no sub");  // the signature passed: sub is the next check
    std::string tampered = token;
    tampered.back() = 'Y';
    CHECK(error_of(v, tampered, 1300819379) == Error::bad_signature);
}

TEST_CASE("jwt: RFC 8037 A.4 Ed25519 vector verifies (payload is not JSON)", "[jwt]") {
    VerifierConfig c;
    c.public_key_pem = jwt_test::ed25519_pem_from_raw(
        *base64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
    Verifier v(c);
    CHECK(v.algorithms() == "EdDSA");
    const std::string token =
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    auto r = v.verify(token, kNow);
    CHECK(r.error == Error::malformed);
    CHECK(r.reason == "payload is not a JSON object");
    std::string tampered = token;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    CHECK(error_of(v, tampered) == Error::bad_signature);
}

TEST_CASE("jwt: ES256 and EdDSA with generated keys", "[jwt]") {
    auto ec = jwt_test::generate("EC");
    auto ed = jwt_test::generate("ED25519");
    VerifierConfig c = hs_config();
    c.public_key_pem = ec.public_pem;
    Verifier v_ec(c);
    CHECK(v_ec.algorithms() == "HS256,ES256");
    auto ok = v_ec.verify(jwt_test::sign(ec, "ES256", R"({"alg":"ES256"})", claims()), kNow);
    INFO(ok.reason);
    CHECK(ok);
    CHECK(v_ec.verify(sign_hs256(claims(), kSecret), kNow));
    // Signed by another EC key, or with EdDSA while ES256 is configured.
    auto other = jwt_test::generate("EC");
    CHECK(error_of(v_ec, jwt_test::sign(other, "ES256", R"({"alg":"ES256"})", claims())) ==
          Error::bad_signature);
    CHECK(error_of(v_ec, jwt_test::sign(ed, "EdDSA", R"({"alg":"EdDSA"})", claims())) ==
          Error::algorithm_not_allowed);

    VerifierConfig d;
    d.public_key_pem = ed.public_pem;
    Verifier v_ed(d);
    CHECK(v_ed.algorithms() == "EdDSA");
    CHECK(v_ed.verify(jwt_test::sign(ed, "EdDSA", R"({"alg":"EdDSA"})", claims()), kNow));
    CHECK(error_of(v_ed, sign_hs256(claims(), kSecret)) == Error::algorithm_not_allowed);
    CHECK(error_of(v_ed, jwt_test::sign(ec, "ES256", R"({"alg":"ES256"})", claims())) ==
          Error::algorithm_not_allowed);
}

TEST_CASE("jwt: ES256 signature must be raw R||S of 64 bytes", "[jwt]") {
    auto ec = jwt_test::generate("EC");
    Verifier v = es256_only(ec);
    const std::string good = jwt_test::sign(ec, "ES256", R"({"alg":"ES256"})", claims());
    const auto dot = good.rfind('.');
    const std::string raw = *base64url_decode(good.substr(dot + 1));
    CHECK(error_of(v, good.substr(0, dot + 1) + base64url_encode(raw.substr(0, 63))) ==
          Error::bad_signature);
    CHECK(error_of(v, good.substr(0, dot + 1) + base64url_encode(raw + "x")) ==
          Error::bad_signature);
    CHECK(error_of(v, good.substr(0, dot + 1) + base64url_encode(std::string(64, '\0'))) ==
          Error::bad_signature);
}

TEST_CASE("jwt: algorithm confusion and alg none are refused", "[jwt]") {
    auto ec = jwt_test::generate("EC");
    Verifier v = es256_only(ec);
    const std::string body = base64url_encode(claims());
    // "none": empty signature, or any signature.
    CHECK(error_of(v, base64url_encode(R"({"alg":"none"})") + "." + body + ".") ==
          Error::algorithm_not_allowed);
    CHECK(error_of(v, base64url_encode(R"({"alg":"none"})") + "." + body + ".AAAA") ==
          Error::algorithm_not_allowed);
    // HS256 "signed" with the public key text as the HMAC secret (the classic confusion).
    CHECK(error_of(v, sign_hs256(claims(), ec.public_pem)) == Error::algorithm_not_allowed);
    for (const char* alg : {"RS256", "ES384", "ES256K", "HS512", "PS256", "es256", "Ed25519", ""}) {
        INFO(alg);
        CHECK(error_of(v, base64url_encode(std::string(R"({"alg":")") + alg + "\"}") + "." + body +
                              ".AAAA") == Error::algorithm_not_allowed);
    }
    CHECK(error_of(v, base64url_encode(R"({"alg":1})") + "." + body + ".AAAA") == Error::malformed);
    CHECK(error_of(v, base64url_encode(R"({"typ":"JWT"})") + "." + body + ".AAAA") ==
          Error::malformed);
}

TEST_CASE("jwt: time claims with leeway", "[jwt]") {
    Verifier v(hs_config());  // leeway 30
    auto tok = [](const std::string& c) { return sign_hs256(c, kSecret); };
    const std::string sub = R"("sub":")" + kG + "\"";
    CHECK(v.verify(tok("{" + sub + ",\"exp\":" + std::to_string(kNow - 29) + "}"), kNow));
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":" + std::to_string(kNow - 30) + "}")) ==
          Error::expired);
    CHECK(v.verify(tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 60) +
                       ",\"nbf\":" + std::to_string(kNow + 30) + "}"),
                   kNow));
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 60) +
                          ",\"nbf\":" + std::to_string(kNow + 31) + "}")) == Error::not_yet_valid);
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 600) +
                          ",\"iat\":" + std::to_string(kNow + 31) + "}")) == Error::not_yet_valid);
    // Fractional NumericDate, and absurd values saturate instead of overflowing.
    CHECK(v.verify(tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 1) + ".5}"), kNow));
    CHECK(v.verify(tok("{" + sub + ",\"exp\":1e300}"), kNow));
    CHECK(v.verify(tok("{" + sub + ",\"exp\":18446744073709551615}"), kNow));
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":-1e300}")) == Error::expired);
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 60) +
                          ",\"nbf\":9223372036854775807}")) == Error::not_yet_valid);
    // exp is required; time claims must be numbers.
    CHECK(error_of(v, tok("{" + sub + "}")) == Error::malformed);
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":\"" + std::to_string(kNow + 60) + "\"}")) ==
          Error::malformed);
    CHECK(error_of(v, tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 60) +
                          ",\"nbf\":null}")) == Error::malformed);

    VerifierConfig strict = hs_config();
    strict.leeway_s = 0;
    Verifier v0(strict);
    CHECK(error_of(v0, tok("{" + sub + ",\"exp\":" + std::to_string(kNow) + "}")) ==
          Error::expired);
    CHECK(v0.verify(tok("{" + sub + ",\"exp\":" + std::to_string(kNow + 1) + "}"), kNow));
}

TEST_CASE("jwt: issuer and audience when configured", "[jwt]") {
    VerifierConfig c = hs_config();
    c.issuer = "https://auth.example";
    c.audience = "pulse";
    Verifier v(c);
    auto tok = [](const std::string& extra) {
        return sign_hs256(claims(kNow + 60, extra), kSecret);
    };
    CHECK(v.verify(tok(R"(,"aud":"pulse")"), kNow));
    CHECK(v.verify(tok(R"(,"aud":["other","pulse"])"), kNow));
    CHECK(error_of(v, tok(R"(,"aud":"other")")) == Error::wrong_audience);
    CHECK(error_of(v, tok(R"(,"aud":["other"])")) == Error::wrong_audience);
    CHECK(error_of(v, tok("")) == Error::wrong_audience);
    CHECK(error_of(v, tok(R"(,"aud":{"pulse":1})")) == Error::wrong_audience);
    const std::string other_iss = R"({"iss":"https://evil.example","aud":"pulse","sub":")" + kG +
                                  R"(","exp":)" + std::to_string(kNow + 60) + "}";
    CHECK(error_of(v, sign_hs256(other_iss, kSecret)) == Error::wrong_issuer);
    const std::string no_iss =
        R"({"aud":"pulse","sub":")" + kG + R"(","exp":)" + std::to_string(kNow + 60) + "}";
    CHECK(error_of(v, sign_hs256(no_iss, kSecret)) == Error::wrong_issuer);
    // Not configured: not checked.
    Verifier open(hs_config());
    CHECK(open.verify(sign_hs256(other_iss, kSecret), kNow));
}

TEST_CASE("jwt: malformed tokens", "[jwt]") {
    Verifier v(hs_config());
    const std::string good = sign_hs256(claims(), kSecret);
    CHECK(error_of(v, "") == Error::missing);
    for (const std::string& bad :
         {std::string("x"), std::string("a.b"), good + ".x", std::string(".."), "." + good,
          good + "=", good.substr(0, good.rfind('.')) + ".", std::string(9000, 'a'),
          good.substr(0, good.find('.')) + "=." + good.substr(good.find('.') + 1), " " + good}) {
        INFO(bad.substr(0, 80));
        CHECK(error_of(v, bad) == Error::malformed);
    }
    auto tok = [](const std::string& body) { return sign_hs256(body, kSecret); };
    const std::string exp = std::to_string(kNow + 60);
    // Duplicate members (two readers could see two different subjects), trailing bytes, bad
    // UTF-8, non-object payloads, a non-string sub, a contract or garbage subject.
    for (const std::string& body :
         {R"({"sub":")" + kG + R"(","sub":"GBAD","exp":)" + exp + "}",
          R"({"sub":")" + kG + R"(","exp":)" + exp + "} x",
          R"({"sub":")" + kG + R"(","exp":)" + exp + ",\"n\":\"\xff\"}", std::string("[]"),
          std::string("\"x\""), R"({"sub":1,"exp":)" + exp + "}",
          R"({"sub":"CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA","exp":)" + exp + "}",
          R"({"sub":"stream-)" + kG + R"(","exp":)" + exp + "}", R"({"exp":)" + exp + "}",
          R"({"sub":")" + kG + R"(","iss":5,"exp":)" + exp + "}"}) {
        INFO(body);
        CHECK(error_of(v, tok(body)) == Error::malformed);
    }
    // A crit header is refused: no extension is understood.
    {
        const std::string input = base64url_encode(R"({"alg":"HS256","crit":["exp"]})") + "." +
                                  base64url_encode(claims());
        CHECK(error_of(v, input + ".AAAA") == Error::malformed);
    }
}

TEST_CASE("jwt: configurations that cannot verify safely are refused", "[jwt]") {
    CHECK_THROWS_AS(Verifier(VerifierConfig{}), KeyError);
    VerifierConfig short_secret;
    short_secret.hs256_secret = std::string(31, 'x');
    CHECK_THROWS_AS(Verifier(short_secret), KeyError);
    VerifierConfig garbage;
    garbage.public_key_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    CHECK_THROWS_AS(Verifier(garbage), KeyError);
    for (const char* type : {"RSA", "EC-P384"}) {
        INFO(type);
        VerifierConfig c;
        c.public_key_pem = jwt_test::generate(type).public_pem;
        CHECK_THROWS_AS(Verifier(c), KeyError);
    }
    VerifierConfig negative = hs_config();
    negative.leeway_s = -1;
    CHECK_THROWS_AS(Verifier(negative), KeyError);
}
