#pragma once
// CPU seconds and RSS of the server processes under test, from /proc, plus a sampler thread that
// keeps each one's peak RSS over the run (VmHWM would include start-up spikes of long-lived ones).
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace pulse::bench {

struct ServerProcess {
    std::string name;
    pid_t pid = 0;
    // Count the CPU of its direct children too (PostgreSQL: the postmaster's backends do the
    // work). RSS stays the root's own: children share the buffer pool, a sum would double count.
    bool with_children = false;
};

class ServerMonitor {
  public:
    explicit ServerMonitor(std::vector<ServerProcess> servers);
    ~ServerMonitor();
    const std::vector<ServerProcess>& servers() const { return servers_; }
    std::vector<double> cpu_seconds() const;  // -1 for a process that is gone
    std::vector<std::uint64_t> rss_kb() const;
    void start_sampling();
    // Peak RSS seen per server since start_sampling().
    std::vector<std::uint64_t> stop_sampling();

  private:
    std::vector<ServerProcess> servers_;
    std::vector<std::atomic<std::uint64_t>> peaks_;
    std::atomic<bool> sampling_{false};
    std::thread sampler_;
};

}  // namespace pulse::bench
