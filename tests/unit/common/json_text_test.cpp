#include <catch2/catch.hpp>

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "pulse/json_text.hpp"

using pulse::json_text::append_string;
using pulse::json_text::ObjectWriter;

namespace {

std::string written(std::string_view text) {
    std::string out;
    append_string(out, text);
    return out;
}

std::string dumped(const std::string& text) {
    return nlohmann::json(text).dump();
}

// A code point as UTF-8.
void put_utf8(std::string& s, char32_t cp) {
    if (cp < 0x80) {
        s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

}  // namespace

TEST_CASE("json_text: every ASCII character is escaped as nlohmann's dump escapes it",
          "[json_text]") {
    for (int c = 0; c < 128; ++c) {
        const std::string one(1, static_cast<char>(c));
        INFO("character " << c);
        CHECK(written(one) == dumped(one));
        const std::string framed = "a" + one + "b" + one;
        CHECK(written(framed) == dumped(framed));
    }
    CHECK(written("") == "\"\"");
    CHECK(written("say \"hi\"\\\n") == R"("say \"hi\"\\\n")");
    CHECK(written(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
}

// append_string scans 8 bytes at a time: a byte that needs an escape must be found at every
// offset in and across those words, next to plain ASCII and to UTF-8 bytes (0x80 and above,
// which must never match), and in the tail shorter than a word.
TEST_CASE("json_text: a character to escape is found at every offset of the 8-byte scan",
          "[json_text]") {
    const std::string fills[] = {"abcdefghijklmnopqrstuvwxyz",
                                 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                                 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac"};
    const char specials[] = {'"', '\\', '\0', '\x01', '\n', '\x1f',
                             ' ', '!',  '#',  '[',    ']',  '\x7f'};
    for (const auto& fill : fills) {
        for (std::size_t length = 0; length <= 20; ++length) {
            const std::string plain = fill.substr(0, length);
            // UTF-8 fill cut mid-character is fine here: nlohmann would reject it, so only
            // whole prefixes are compared against it, and every prefix against the byte rule.
            for (std::size_t at = 0; at <= length; ++at) {
                for (const char special : specials) {
                    std::string text = plain;
                    text.insert(at, 1, special);
                    INFO("length " << length << ", at " << at << ", byte "
                                   << static_cast<int>(static_cast<unsigned char>(special)));
                    if (fill[0] == 'a') {
                        CHECK(written(text) == dumped(text));
                    } else {
                        // Only the inserted byte may be escaped; the UTF-8 bytes pass as they are.
                        std::string expected = "\"" + plain.substr(0, at);
                        expected += written(std::string(1, special)).substr(1);
                        expected.pop_back();
                        expected += plain.substr(at) + "\"";
                        CHECK(written(text) == expected);
                    }
                }
            }
        }
    }
}

TEST_CASE("json_text: random UTF-8 strings match nlohmann's dump", "[json_text]") {
    std::mt19937 rng(20261201);
    std::uniform_int_distribution<int> length(0, 40);
    std::uniform_int_distribution<int> plane(0, 9);
    for (int round = 0; round < 2000; ++round) {
        std::string s;
        const int n = length(rng);
        for (int i = 0; i < n; ++i) {
            const int p = plane(rng);
            char32_t cp = 0;
            if (p < 5)
                cp = std::uniform_int_distribution<char32_t>(0, 0x7f)(rng);
            else if (p < 7)
                cp = std::uniform_int_distribution<char32_t>(0x80, 0x7ff)(rng);
            else if (p < 9)
                cp = std::uniform_int_distribution<char32_t>(0xe000, 0xfffd)(rng);  // no surrogates
            else
                cp = std::uniform_int_distribution<char32_t>(0x10000, 0x10ffff)(rng);
            put_utf8(s, cp);
        }
        INFO("round " << round);
        REQUIRE(written(s) == dumped(s));
        // And it reads back as the same string.
        REQUIRE(nlohmann::json::parse(written(s)).get<std::string>() == s);
    }
}

TEST_CASE("json_text: ObjectWriter writes what an ordered_json of the same fields dumps",
          "[json_text]") {
    ObjectWriter w;
    w.string("op", "create")
        .string("stream\"Id", "s-1\t")
        .integer("seq", -9223372036854775807LL - 1)
        .integer("zero", 0)
        .boolean("yes", true)
        .boolean("no", false)
        .raw("data", R"({"a":[1,2]})");
    const std::string text = w.finish();

    nlohmann::ordered_json expected;
    expected["op"] = "create";
    expected["stream\"Id"] = "s-1\t";
    expected["seq"] = std::int64_t{-9223372036854775807LL - 1};
    expected["zero"] = 0;
    expected["yes"] = true;
    expected["no"] = false;
    expected["data"] = nlohmann::ordered_json::parse(R"({"a":[1,2]})");
    CHECK(text == expected.dump());

    // finish() leaves an empty writer behind, ready for the next object.
    CHECK(w.finish() == "{}");
    CHECK(w.integer("n", 7).finish() == R"({"n":7})");
}
