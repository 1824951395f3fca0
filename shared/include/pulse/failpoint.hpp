#pragma once
// Failpoints for the chaos tests: PULSE_FAILPOINT=NAME[@N] makes the process SIGKILL itself the
// Nth time (default: first) it reaches the point called NAME, e.g. between a commit and its
// publish. A crash there cannot be produced from outside at the right instant; this makes it
// reproducible. Refused at start-up unless the process runs in a test/dev mode, so a production
// deployment cannot be armed by a stray variable.
#include <string_view>

namespace pulse::failpoint {

// Reads PULSE_FAILPOINT once. Throws env::ConfigError when it is set but `allowed` is false
// (naming the mode that would allow it) or when it is malformed.
void configure_from_env(bool allowed, std::string_view mode_hint);

// True when PULSE_FAILPOINT names `name`: lets a point that needs a different code path to be
// reachable at all (the lifecycle's before-commit: an explicit transaction) take it only then.
bool armed_for(std::string_view name);

// The point `name` is reached: kills the process (SIGKILL, no cleanup) when armed for it.
void hit(std::string_view name);

// The point `name` is reached: true the Nth time when armed for it, and the caller simulates
// the fault itself (e.g. an answer lost after a commit); the process lives on.
bool fires(std::string_view name);

}  // namespace pulse::failpoint
