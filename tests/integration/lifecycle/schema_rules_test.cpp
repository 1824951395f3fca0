// Migration 5 rewrites the address and stream id checks for speed; these cases hold it to the
// regexes it replaces: every string is accepted by the domain exactly when the old regex
// matches it (edges of length, first letter, alphabet, newline, non-ASCII, U+202E).
#include "support/fixture.hpp"

using namespace pulse::test;

namespace {
constexpr const char* kOldAddress = "^[GMC][A-Z2-7]{55}([A-Z2-7]{13})?$";
constexpr const char* kOldStreamId = "^[A-Za-z0-9._:-]{1,128}$";

std::string literal(const std::string& v) {
    return "$q$" + v + "$q$";
}

void check_same_rule(TestDatabase& db, const std::string& domain, const char* old_regex,
                     const std::vector<std::string>& values) {
    for (const auto& v : values) {
        INFO(domain << " <- '" << v << "' (" << v.size() << " bytes)");
        const bool old_accepts =
            db.scalar("SELECT " + literal(v) + " ~ '" + old_regex + "'") == "t";
        bool accepts = true;
        try {
            db.exec("SELECT " + literal(v) + "::" + domain);
        } catch (const pqxx::check_violation&) {
            accepts = false;
        }
        CHECK(accepts == old_accepts);
    }
}
}  // namespace

TEST_CASE("the address and stream id checks accept exactly what the old regexes accepted",
          "[integration][migrations]") {
    Lifecycle lc;
    const std::string g = kG;
    const std::string m = "M" + g.substr(1) + "ABCDEFGHIJ234";  // 69 characters
    std::vector<std::string> addresses = {g,
                                          kC,
                                          m,
                                          "",
                                          "G",
                                          "GBAD",
                                          "A" + g.substr(1),
                                          "g" + g.substr(1),
                                          g + "\n",
                                          m + "A",
                                          m.substr(0, 68)};
    for (std::size_t len : {55u, 57u, 68u, 70u}) addresses.push_back((g + m).substr(0, len));
    for (const char* bad : {"1", "8", "a", " ", "\xc3\x89", "\xe2\x80\xae"})
        addresses.push_back(g.substr(0, 30) + bad + g.substr(31));
    check_same_rule(lc.db, "pulse_address", kOldAddress, addresses);

    check_same_rule(
        lc.db, "pulse_stream_id", kOldStreamId,
        {"a", "ok.:_-Z9", std::string(128, 'a'), std::string(129, 'a'), "", "a b", "a/b", "a'b",
         "x\xe2\x80\xaey", "\xc3\xa9", "ab\n", std::string(127, 'a') + "\xc3\xa9"});
}
