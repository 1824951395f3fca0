#include "pulse/config_table.hpp"

// PULSE_VERSION comes from CMake's project(VERSION), set on this one file (shared/CMakeLists.txt)
// so a version change recompiles nothing else.
namespace pulse::config {
const char* version() {
    return PULSE_VERSION;
}
}  // namespace pulse::config
