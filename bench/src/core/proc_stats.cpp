#include "proc_stats.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace pulse::bench {
namespace {
std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

std::optional<CpuTicks> parse_proc_stat(std::string_view content) {
    const auto close = content.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    // After ") " comes field 3 (state); utime is field 14, i.e. the 12th token from here.
    std::size_t pos = close + 1;
    std::uint64_t values[2] = {0, 0};
    for (int field = 3; field <= 15; ++field) {
        while (pos < content.size() && content[pos] == ' ') ++pos;
        const std::size_t begin = pos;
        while (pos < content.size() && content[pos] != ' ') ++pos;
        if (begin == pos) return std::nullopt;
        if (field == 14 || field == 15) {
            auto [p, ec] =
                std::from_chars(content.data() + begin, content.data() + pos, values[field - 14]);
            if (ec != std::errc{} || p != content.data() + pos) return std::nullopt;
        }
    }
    return CpuTicks{values[0], values[1]};
}

std::optional<std::uint64_t> parse_status_kb(std::string_view content, std::string_view key) {
    std::size_t line = 0;
    while (line < content.size()) {
        std::size_t eol = content.find('\n', line);
        if (eol == std::string_view::npos) eol = content.size();
        const std::string_view l = content.substr(line, eol - line);
        if (l.size() > key.size() && l.substr(0, key.size()) == key && l[key.size()] == ':') {
            std::size_t p = key.size() + 1;
            while (p < l.size() && (l[p] == ' ' || l[p] == '\t')) ++p;
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(l.data() + p, l.data() + l.size(), v);
            if (ec != std::errc{} || end == l.data() + p) return std::nullopt;
            return v;
        }
        line = eol + 1;
    }
    return std::nullopt;
}

std::vector<CoreTicks> parse_core_ticks(std::string_view proc_stat) {
    std::vector<CoreTicks> cores;
    std::size_t line = 0;
    while (line < proc_stat.size()) {
        std::size_t eol = proc_stat.find('\n', line);
        if (eol == std::string_view::npos) eol = proc_stat.size();
        const std::string_view l = proc_stat.substr(line, eol - line);
        line = eol + 1;
        // "cpu0 ...", not the aggregate "cpu  ..."
        if (l.size() < 4 || l.substr(0, 3) != "cpu" || l[3] < '0' || l[3] > '9') continue;
        std::size_t pos = l.find(' ');
        CoreTicks t;
        for (int field = 0; field < 8 && pos != std::string_view::npos; ++field) {
            while (pos < l.size() && l[pos] == ' ') ++pos;
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(l.data() + pos, l.data() + l.size(), v);
            if (ec != std::errc{}) break;
            pos = static_cast<std::size_t>(end - l.data());
            t.total += v;
            if (field != 3 && field != 4) t.busy += v;  // idle, iowait
        }
        cores.push_back(t);
    }
    return cores;
}

std::vector<double> core_busy_shares(const std::vector<CoreTicks>& before,
                                     const std::vector<CoreTicks>& after) {
    std::vector<double> shares;
    if (before.size() != after.size()) return shares;
    for (std::size_t i = 0; i < before.size(); ++i) {
        const auto total = after[i].total - before[i].total;
        const auto busy = after[i].busy - before[i].busy;
        shares.push_back(total ? static_cast<double>(busy) / static_cast<double>(total) : 0.0);
    }
    return shares;
}

std::vector<CoreTicks> read_core_ticks() {
    auto content = slurp("/proc/stat");
    return content ? parse_core_ticks(*content) : std::vector<CoreTicks>{};
}

std::optional<double> process_cpu_seconds(pid_t pid) {
    auto content = slurp("/proc/" + std::to_string(pid) + "/stat");
    if (!content) return std::nullopt;
    auto ticks = parse_proc_stat(*content);
    if (!ticks) return std::nullopt;
    static const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
    return static_cast<double>(ticks->user + ticks->system) / hz;
}

std::optional<std::uint64_t> process_rss_kb(pid_t pid) {
    auto content = slurp("/proc/" + std::to_string(pid) + "/status");
    if (!content) return std::nullopt;
    return parse_status_kb(*content, "VmRSS");
}

std::optional<std::uint64_t> process_peak_rss_kb(pid_t pid) {
    auto content = slurp("/proc/" + std::to_string(pid) + "/status");
    if (!content) return std::nullopt;
    return parse_status_kb(*content, "VmHWM");
}

}  // namespace pulse::bench
