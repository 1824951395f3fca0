#pragma once
// Shared-secret guards for private endpoints (PULSE_TEST_TOKEN, PULSE_REPLAY_TOKEN,
// PULSE_ADMIN_TOKEN): "Authorization: Bearer <token>" compared in time independent of where the
// first difference is, so response timing does not reveal a token prefix.
#include <string_view>

namespace pulse {

// The token of an "Authorization: Bearer <token>" value (scheme case-insensitive, one space or
// more); empty when the header is absent or uses another scheme.
std::string_view bearer_token(std::string_view authorization);

// True when `authorization` carries exactly `expected` (which must be non-empty).
bool bearer_matches(std::string_view authorization, std::string_view expected);

// Equal length and bytes, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace pulse
