#pragma once
// The Stellar account a SEP-10 token speaks for. SEP-10's `sub` is the client account: a G…
// account, an M… muxed account, or "G…:memo" when the client asked for a memo (a 64-bit id).
// The account's room is the one its owner may join: stream-{G…} for G… and G…:memo, stream-{M…}
// for a muxed account (a muxed sub-account must not read the whole G… account's payments).
#include <optional>
#include <string>
#include <string_view>

namespace pulse::jwt {

struct Subject {
    std::string account;  // the address whose room this token opens (G… or M…)
    std::string memo;     // SEP-10 memo id when sub was "G…:memo", else empty
};

// nullopt unless `sub` is one of the three forms with a valid StrKey (checksum included).
std::optional<Subject> parse_subject(std::string_view sub);

}  // namespace pulse::jwt
