// Which address a request comes from (http/client_address.hpp): X-Forwarded-For is believed only
// from trusted proxies, and only as far as the trusted hops go.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "http/client_address.hpp"

using pulse::http::client_address;
using pulse::http::HeaderList;
using pulse::http::TrustedProxies;

namespace {
boost::asio::ip::address ip(const char* text) {
    return boost::asio::ip::make_address(text);
}
HeaderList xff(std::initializer_list<const char*> values) {
    HeaderList h{{"host", "x"}};
    for (const char* v : values) h.emplace_back("x-forwarded-for", v);
    return h;
}
}  // namespace

TEST_CASE("trusted proxies: addresses and CIDR blocks of both families", "[http]") {
    const auto t = TrustedProxies::parse(" 127.0.0.1 , 10.0.0.0/8,fd00::/8,, 192.168.1.128/25");
    CHECK(t.contains(ip("127.0.0.1")));
    CHECK_FALSE(t.contains(ip("127.0.0.2")));
    CHECK(t.contains(ip("10.255.1.2")));
    CHECK_FALSE(t.contains(ip("11.0.0.1")));
    CHECK(t.contains(ip("fd12::1")));
    CHECK_FALSE(t.contains(ip("fe80::1")));
    CHECK(t.contains(ip("192.168.1.200")));
    CHECK_FALSE(t.contains(ip("192.168.1.127")));
    // A listener on "::" sees IPv4 peers v4-mapped.
    CHECK(t.contains(ip("::ffff:10.1.2.3")));
    CHECK(TrustedProxies::parse("").empty());
    CHECK(TrustedProxies::parse("0.0.0.0/0").contains(ip("8.8.8.8")));
    CHECK_FALSE(TrustedProxies::parse("0.0.0.0/0").contains(ip("2001:db8::1")));
    CHECK_THROWS_AS(TrustedProxies::parse("localhost"), std::invalid_argument);
    CHECK_THROWS_AS(TrustedProxies::parse("10.0.0.0/33"), std::invalid_argument);
    CHECK_THROWS_AS(TrustedProxies::parse("10.0.0.0/"), std::invalid_argument);
    CHECK_THROWS_AS(TrustedProxies::parse("10.0.0.0/-1"), std::invalid_argument);
    CHECK_THROWS_AS(TrustedProxies::parse("::/129"), std::invalid_argument);
}

TEST_CASE("an untrusted peer is the client, whatever it claims", "[http]") {
    const TrustedProxies nobody;
    CHECK(client_address(ip("203.0.113.9"), xff({"1.2.3.4"}), nobody) == "203.0.113.9");
    const auto local = TrustedProxies::parse("127.0.0.1");
    CHECK(client_address(ip("203.0.113.9"), xff({"1.2.3.4"}), local) == "203.0.113.9");
    CHECK(client_address(ip("::ffff:203.0.113.9"), {}, nobody) == "203.0.113.9");
}

TEST_CASE("a trusted proxy's X-Forwarded-For: the rightmost hop it does not trust", "[http]") {
    const auto t = TrustedProxies::parse("127.0.0.1,10.0.0.0/8");
    // HAProxy appended the client's address.
    CHECK(client_address(ip("127.0.0.1"), xff({"198.51.100.7"}), t) == "198.51.100.7");
    // The client sent its own header first: HAProxy's entry (the right one) wins.
    CHECK(client_address(ip("127.0.0.1"), xff({"6.6.6.6", "198.51.100.7"}), t) == "198.51.100.7");
    CHECK(client_address(ip("127.0.0.1"), xff({"6.6.6.6, 198.51.100.7"}), t) == "198.51.100.7");
    // Through two trusted proxies.
    CHECK(client_address(ip("127.0.0.1"), xff({"6.6.6.6, 198.51.100.7, 10.1.1.1"}), t) ==
          "198.51.100.7");
    // Every hop trusted: the leftmost.
    CHECK(client_address(ip("127.0.0.1"), xff({"10.2.2.2, 10.1.1.1"}), t) == "10.2.2.2");
    // No header: the proxy itself.
    CHECK(client_address(ip("127.0.0.1"), {}, t) == "127.0.0.1");
    // A malformed entry ends the walk at the hop that wrote it.
    CHECK(client_address(ip("127.0.0.1"), xff({"198.51.100.7, junk"}), t) == "127.0.0.1");
    CHECK(client_address(ip("127.0.0.1"), xff({"junk, 10.1.1.1"}), t) == "10.1.1.1");
    CHECK(client_address(ip("127.0.0.1"), xff({"2001:db8::5"}), t) == "2001:db8::5");
}
