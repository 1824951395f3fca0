#include "http/client_address.hpp"

#include <optional>
#include <stdexcept>

namespace pulse::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// One form for both families, so that a listener on "::" (v4-mapped peers) and on "0.0.0.0"
// match the same blocks.
ip::address_v6 as_v6(const ip::address& a) {
    return a.is_v4() ? ip::make_address_v6(ip::v4_mapped, a.to_v4()) : a.to_v6();
}

std::optional<ip::address> parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto a = ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return a;
}

// The usual text of an address: a v4-mapped peer (listener on "::") as plain IPv4.
std::string text_of(const ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, a.to_v6()).to_string();
    return a.to_string();
}

}  // namespace

TrustedProxies TrustedProxies::parse(std::string_view list) {
    TrustedProxies out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view entry = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (entry.empty()) continue;
        const auto slash = entry.find('/');
        const auto address = parse_address(entry.substr(0, slash));
        if (!address)
            throw std::invalid_argument("not an address or CIDR block: " + std::string(entry));
        const unsigned family_bits = address->is_v4() ? 32 : 128;
        unsigned prefix = family_bits;
        if (slash != std::string_view::npos) {
            const auto digits = entry.substr(slash + 1);
            if (digits.empty() || digits.size() > 3 ||
                digits.find_first_not_of("0123456789") != std::string_view::npos ||
                std::stoul(std::string(digits)) > family_bits)
                throw std::invalid_argument("bad prefix length in " + std::string(entry));
            prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
        }
        out.blocks_.push_back(Block{as_v6(*address).to_bytes(), prefix + (128 - family_bits)});
    }
    return out;
}

bool TrustedProxies::contains(const ip::address& address) const {
    const auto bytes = as_v6(address).to_bytes();
    for (const auto& block : blocks_) {
        unsigned bits = block.prefix;
        bool match = true;
        for (std::size_t i = 0; i < bytes.size() && bits > 0 && match; ++i) {
            const unsigned take = bits >= 8 ? 8 : bits;
            const auto mask = static_cast<unsigned char>(0xFF00u >> take);
            match = (bytes[i] & mask) == (block.bytes[i] & mask);
            bits -= take;
        }
        if (match) return true;
    }
    return false;
}

std::string client_address(const ip::address& peer, const HeaderList& headers,
                           const TrustedProxies& trusted) {
    ip::address client = peer;
    if (trusted.empty() || !trusted.contains(peer)) return text_of(peer);
    // Every X-Forwarded-For field, in order, as one list (RFC 9110 field combination).
    std::string list;
    for (const auto& [name, value] : headers) {
        if (name != "x-forwarded-for") continue;
        if (!list.empty()) list += ',';
        list += value;
    }
    std::string_view rest = list;
    while (!rest.empty() && trusted.contains(client)) {
        const auto comma = rest.rfind(',');
        const std::string_view entry =
            trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        const auto hop = parse_address(entry);
        if (!hop) break;
        client = *hop;
    }
    return text_of(client);
}

}  // namespace pulse::http
