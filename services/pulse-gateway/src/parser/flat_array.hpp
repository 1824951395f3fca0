#pragma once
// The shape almost every client event has: a JSON array of plain ASCII strings, e.g.
// ["join-stream-room","GABC..."]. Reading it directly is much cheaper than the general JSON
// parser, and connect+join pays it once per connection. Anything else (whitespace, escapes,
// non-ASCII, numbers, objects, nesting) is left to the general parser, so this is purely a fast
// path: when it answers, the answer equals what nlohmann::json::parse would give (the fuzz target
// checks that).
#include <optional>
#include <string_view>

#include "parser/packet.hpp"

namespace pulse::parser {

// `["a","b",...]` or `[]` with every string made of printable ASCII (0x20-0x7e) other than '"'
// and '\\', no whitespace anywhere: the array; otherwise nullopt.
std::optional<Json> parse_flat_string_array(std::string_view text);

}  // namespace pulse::parser
