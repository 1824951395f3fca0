#include "pulse/failpoint.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <string>

#include "pulse/env_config.hpp"
#include "pulse/log.hpp"

namespace pulse::failpoint {
namespace {
std::string armed;  // written once at start-up, before any thread reads it
std::int64_t fire_at = 1;
std::atomic<std::int64_t> reached{0};
}  // namespace

void configure_from_env(bool allowed, std::string_view mode_hint) {
    const auto value = env::get("PULSE_FAILPOINT");
    if (!value || value->empty()) return;
    if (!allowed)
        throw env::ConfigError("PULSE_FAILPOINT is only accepted with " + std::string(mode_hint));
    std::string name = *value;
    std::int64_t at = 1;
    if (const auto sep = name.find('@'); sep != std::string::npos) {
        const std::string digits = name.substr(sep + 1);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), at);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || at < 1)
            throw env::ConfigError("PULSE_FAILPOINT: expected NAME or NAME@N (N >= 1), got " +
                                   *value);
        name.resize(sep);
    }
    if (name.empty()) throw env::ConfigError("PULSE_FAILPOINT: empty failpoint name");
    armed = std::move(name);
    fire_at = at;
    log::warn("failpoint armed", {{"failpoint", armed}, {"at_hit", fire_at}});
}

bool armed_for(std::string_view name) {
    return !armed.empty() && name == armed;
}

bool fires(std::string_view name) {
    if (armed.empty() || name != armed) return false;
    if (reached.fetch_add(1) + 1 != fire_at) return false;
    log::warn("failpoint reached", {{"failpoint", armed}});
    return true;
}

void hit(std::string_view name) {
    if (armed.empty() || name != armed) return;
    if (reached.fetch_add(1) + 1 != fire_at) return;
    log::warn("failpoint reached: killing the process", {{"failpoint", armed}});
    ::kill(::getpid(), SIGKILL);
    ::pause();
}

}  // namespace pulse::failpoint
