// The one WebSocket upgrade check (http/upgrade.hpp) the listener and the engine share.
#include <catch2/catch.hpp>

#include "http/upgrade.hpp"

using pulse::http::header_has_token;
using pulse::http::is_websocket_upgrade;

namespace {
pulse::http::Request with(std::string upgrade, std::string connection) {
    pulse::http::Request r;
    r.method = "GET";
    if (!upgrade.empty()) r.headers.emplace_back("upgrade", std::move(upgrade));
    if (!connection.empty()) r.headers.emplace_back("connection", std::move(connection));
    return r;
}
}  // namespace

TEST_CASE("header tokens: comma-separated, trimmed, case-insensitive, whole tokens only",
          "[http]") {
    for (const char* listed : {"Upgrade", "keep-alive, Upgrade", " keep-alive ,\tUPGRADE\t"})
        CHECK(header_has_token(listed, "upgrade"));
    for (const char* not_listed : {"keep-alive", "upgrades", ""})
        CHECK_FALSE(header_has_token(not_listed, "upgrade"));
}

TEST_CASE("a WebSocket upgrade needs both Upgrade: websocket and Connection: upgrade", "[http]") {
    struct Case {
        const char* upgrade;
        const char* connection;
        bool is_upgrade;
    };
    for (const Case& c :
         {Case{"websocket", "Upgrade", true}, Case{"WebSocket", "keep-alive, Upgrade", true},
          Case{"websocket", "", false}, Case{"", "Upgrade", false}, Case{"h2c", "Upgrade", false},
          Case{"not-websocket", "Upgrade", false}}) {
        INFO(c.upgrade << " / " << c.connection);
        CHECK(is_websocket_upgrade(with(c.upgrade, c.connection)) == c.is_upgrade);
    }
}
