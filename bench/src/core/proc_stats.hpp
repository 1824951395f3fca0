#pragma once
// CPU and memory of another process, read from /proc (what `ps` and `top` read too).
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pulse::bench {

struct CpuTicks {
    std::uint64_t user = 0;
    std::uint64_t system = 0;
};

// Fields 14 and 15 of /proc/PID/stat. The command name (field 2) may hold spaces and ')' so
// parsing starts after the *last* ')'.
std::optional<CpuTicks> parse_proc_stat(std::string_view content);
// "VmRSS:" or "VmHWM:" of /proc/PID/status, in KiB.
std::optional<std::uint64_t> parse_status_kb(std::string_view content, std::string_view key);

// One core's line of /proc/stat ("cpuN user nice system idle iowait irq softirq steal ..."), in
// ticks: `busy` counts everything but idle and iowait, softirq included, which no process's own
// figures show (loopback TCP input often runs there).
struct CoreTicks {
    std::uint64_t busy = 0;
    std::uint64_t total = 0;
};
// The per-core lines of /proc/stat, in core order (the aggregate "cpu" line is skipped).
std::vector<CoreTicks> parse_core_ticks(std::string_view proc_stat);
// Share of each core that was busy between two readings (0..1); empty when they do not match.
std::vector<double> core_busy_shares(const std::vector<CoreTicks>& before,
                                     const std::vector<CoreTicks>& after);
std::vector<CoreTicks> read_core_ticks();

// Readers over the live files; empty when the process is gone.
std::optional<double> process_cpu_seconds(pid_t pid);
std::optional<std::uint64_t> process_rss_kb(pid_t pid);
std::optional<std::uint64_t> process_peak_rss_kb(pid_t pid);

}  // namespace pulse::bench
