#include "server_monitor.hpp"

#include <dirent.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../core/proc_stats.hpp"

namespace pulse::bench {

ServerMonitor::ServerMonitor(std::vector<ServerProcess> servers)
    : servers_(std::move(servers)), peaks_(servers_.size()) {}

ServerMonitor::~ServerMonitor() {
    if (sampler_.joinable()) stop_sampling();
}

namespace {
// Direct children of `parent`: field 4 (ppid) of every /proc/N/stat.
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    DIR* dir = opendir("/proc");
    if (!dir) return out;
    while (dirent* e = readdir(dir)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0) continue;
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string stat = ss.str();
        const auto close = stat.rfind(')');
        if (close == std::string::npos || close + 4 >= stat.size()) continue;
        const pid_t ppid = static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));
        if (ppid == parent) out.push_back(pid);
    }
    closedir(dir);
    return out;
}
}  // namespace

std::vector<double> ServerMonitor::cpu_seconds() const {
    std::vector<double> out;
    for (const auto& s : servers_) {
        double cpu = process_cpu_seconds(s.pid).value_or(-1);
        if (s.with_children && cpu >= 0) {
            for (pid_t child : children_of(s.pid)) cpu += process_cpu_seconds(child).value_or(0);
        }
        out.push_back(cpu);
    }
    return out;
}

std::vector<std::uint64_t> ServerMonitor::rss_kb() const {
    std::vector<std::uint64_t> out;
    for (const auto& s : servers_) out.push_back(process_rss_kb(s.pid).value_or(0));
    return out;
}

void ServerMonitor::start_sampling() {
    sampling_ = true;
    sampler_ = std::thread([this] {
        while (sampling_.load()) {
            const auto now = rss_kb();
            for (std::size_t i = 0; i < now.size(); ++i) {
                if (now[i] > peaks_[i].load()) peaks_[i] = now[i];
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

std::vector<std::uint64_t> ServerMonitor::stop_sampling() {
    sampling_ = false;
    if (sampler_.joinable()) sampler_.join();
    const auto now = rss_kb();
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < peaks_.size(); ++i)
        out.push_back(std::max(peaks_[i].load(), now[i]));
    return out;
}

}  // namespace pulse::bench
