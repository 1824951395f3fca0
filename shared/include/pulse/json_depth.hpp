#pragma once
// A cheap guard to run on untrusted JSON text before parsing it into a value that will later be
// walked or dumped recursively: nlohmann's parser is iterative, but dump() and visiting are not,
// so absurd nesting (`[[[[...`, which a fuzzer finds in seconds) must be refused up front.
#include <cstddef>
#include <string_view>

namespace pulse {

// Whether `json` nests arrays/objects deeper than `limit` (string contents are skipped).
bool json_nesting_exceeds(std::string_view json, std::size_t limit);

}  // namespace pulse
