#include "server_monitor.hpp"

#include <chrono>

#include "../core/proc_stats.hpp"

namespace pulse::bench {

ServerMonitor::ServerMonitor(std::vector<ServerProcess> servers)
    : servers_(std::move(servers)), peaks_(servers_.size()) {}

ServerMonitor::~ServerMonitor() {
    if (sampler_.joinable()) stop_sampling();
}

std::vector<double> ServerMonitor::cpu_seconds() const {
    std::vector<double> out;
    for (const auto& s : servers_) out.push_back(process_cpu_seconds(s.pid).value_or(-1));
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
