#pragma once
// Which address a request comes from, for per-client limits. The TCP peer, unless the peer is a
// proxy the operator trusts (PULSE_TRUSTED_PROXIES): then X-Forwarded-For is read from the
// right, skipping the trusted proxies' own entries, and the first address that is not one of
// them is the client. An entry written by anyone else is never believed: a client that sends its
// own X-Forwarded-For to an untrusted listener, or through a trusted proxy that appends to it,
// only adds entries left of the one the proxy wrote. Pure, unit tested.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "http/message.hpp"

namespace pulse::http {

class TrustedProxies {
  public:
    TrustedProxies() = default;  // trusts nobody
    // A comma-separated list of addresses and CIDR blocks, IPv4 or IPv6 ("127.0.0.1,
    // 10.0.0.0/8, fd00::/8"); blanks around entries are ignored. Throws std::invalid_argument
    // naming the first entry that is neither.
    static TrustedProxies parse(std::string_view list);

    bool empty() const { return blocks_.empty(); }
    bool contains(const boost::asio::ip::address& address) const;

  private:
    struct Block {
        boost::asio::ip::address_v6::bytes_type bytes;  // IPv4 as v4-mapped IPv6
        unsigned prefix;                                // bits, of the 128
    };
    std::vector<Block> blocks_;
};

// The client's address as text: `peer`, or from `headers`' X-Forwarded-For (all of its fields,
// in order) as above when `peer` is trusted. An entry that is not a bare IP address ends the
// walk at the hop that wrote it.
std::string client_address(const boost::asio::ip::address& peer, const HeaderList& headers,
                           const TrustedProxies& trusted);

}  // namespace pulse::http
