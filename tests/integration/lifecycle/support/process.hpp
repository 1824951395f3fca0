#pragma once
// Runs pulse-lifecycle as a child process with extra environment, captures its stderr (JSON log
// lines), and lets a test wait for a given log line. Every wait is bounded in time.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace pulse::test {

class LifecycleProcess {
  public:
    // env: overrides on top of this process's environment ("" value: unset the variable).
    explicit LifecycleProcess(std::map<std::string, std::string> env);
    ~LifecycleProcess();
    LifecycleProcess(const LifecycleProcess&) = delete;
    LifecycleProcess& operator=(const LifecycleProcess&) = delete;

    // Waits for the first log line whose "msg" equals msg; nullopt on timeout or exit.
    std::optional<nlohmann::json> wait_for(
        const std::string& msg, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // Waits for "listening" and "bus bound"; REQUIREs both.
    void wait_ready();
    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& bus_endpoint() const { return bus_endpoint_; }

    // Sends SIGTERM and waits (bounded); returns the exit code (-1 when killed or timed out).
    int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // SIGKILL, as a crash would; waits for the exit. Returns true when the process was killed by
    // the signal (false when it had already exited).
    bool kill9(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // Whether the process ended by SIGKILL (its own failpoint or kill9), after wait_exit.
    bool killed() const { return killed_by_sigkill_; }
    // Waits for the process to exit by itself (start-up failure); -1 on timeout.
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    std::vector<std::string> lines();

  private:
    void read_stderr(int fd);

    pid_t pid_ = -1;
    std::thread reader_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool eof_ = false;
    std::optional<int> exit_code_;
    bool killed_by_sigkill_ = false;
    std::uint16_t port_ = 0;
    std::string bus_endpoint_;
};

}  // namespace pulse::test
