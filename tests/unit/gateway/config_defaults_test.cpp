// The gateway's configuration table takes its protocol defaults from the option structs: with
// nothing set, the values it loads (and --help shows) are exactly a default-constructed
// engine::ServerOptions' and sio::ServerOptions'.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "app/gateway_config.hpp"
#include "engine/server.hpp"
#include "sio/server.hpp"

namespace {

std::string default_of(const pulse::config::Table& table, const std::string& name) {
    for (const auto& v : table.variables())
        if (v.name == name) return v.default_text;
    FAIL("no variable " << name);
    return {};
}

}  // namespace

TEST_CASE("unset protocol variables load the option structs' defaults", "[config]") {
    pulse::app::GatewayConfig config;
    auto table = pulse::app::make_gateway_table(config);
    table.load([](const std::string&) -> std::optional<std::string> { return std::nullopt; });

    const pulse::engine::ServerOptions eio;
    const pulse::sio::ServerOptions sio;
    CHECK(config.ping_interval == eio.ping_interval);
    CHECK(config.ping_timeout == eio.ping_timeout);
    CHECK(config.max_payload == eio.max_payload);
    CHECK(config.max_buffered_bytes == eio.max_buffered_bytes);
    CHECK(config.allowed_origins == eio.allowed_origins);
    CHECK(config.connect_timeout == sio.connect_timeout);
}

TEST_CASE("--help shows the option structs' defaults", "[config]") {
    pulse::app::GatewayConfig config;
    const auto table = pulse::app::make_gateway_table(config);
    const pulse::engine::ServerOptions eio;
    CHECK(default_of(table, "PING_INTERVAL_MS") == std::to_string(eio.ping_interval.count()));
    CHECK(default_of(table, "MAX_BUFFERED_BYTES") == std::to_string(eio.max_buffered_bytes));
    CHECK(default_of(table, "CONNECT_TIMEOUT_MS") ==
          std::to_string(pulse::sio::ServerOptions{}.connect_timeout.count()));
    CHECK(default_of(table, "FRONTEND_URL") == eio.allowed_origins.front());
}
