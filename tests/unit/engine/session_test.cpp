#include <catch2/catch.hpp>

#include "engine/socket.hpp"

TEST_CASE("close reasons have the reference server's names", "[engine][session]") {
    using pulse::engine::CloseReason;
    CHECK(std::string(to_string(CloseReason::ping_timeout)) == "ping timeout");
    CHECK(std::string(to_string(CloseReason::transport_close)) == "transport close");
}
