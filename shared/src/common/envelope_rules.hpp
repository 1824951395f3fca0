#pragma once
// The envelope's rules on decoded values, shared by decode(), decode_raw() and validate()
// (internal to pulse_common).
#include <cstdint>
#include <string>
#include <vector>

namespace pulse::envelope::detail {

// Empty when v, epoch, seq, event and rooms are acceptable; else the error, e.g.
// "rooms: a room name is empty".
std::string check_fields(int v, const std::string& epoch, std::int64_t seq,
                         const std::string& event, const std::vector<std::string>& rooms);

}  // namespace pulse::envelope::detail
