#include "support/process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace pulse::test {

LifecycleProcess::LifecycleProcess(std::map<std::string, std::string> env) {
    const char* bin = std::getenv("PULSE_LIFECYCLE_BIN");
    if (!bin) throw std::runtime_error("PULSE_LIFECYCLE_BIN is not set (run through ctest)");
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (auto& [k, v] : env) {
        if (v.empty())
            merged.erase(k);
        else
            merged[k] = v;
    }
    std::vector<std::string> storage;
    for (auto& [k, v] : merged) storage.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : storage) envp.push_back(s.data());
    envp.push_back(nullptr);

    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        char* argv[] = {const_cast<char*>(bin), nullptr};
        execve(bin, argv, envp.data());
        _exit(127);
    }
    close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] { read_stderr(fd); });
}

LifecycleProcess::~LifecycleProcess() {
    if (!exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) reader_.join();
}

void LifecycleProcess::read_stderr(int fd) {
    std::string pending;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::lock_guard lock(mutex_);
            lines_.push_back(pending.substr(0, nl));
            pending.erase(0, nl + 1);
            changed_.notify_all();
        }
    }
    close(fd);
    std::lock_guard lock(mutex_);
    if (!pending.empty()) lines_.push_back(pending);
    eof_ = true;
    changed_.notify_all();
}

std::optional<nlohmann::json> LifecycleProcess::wait_for(const std::string& msg,
                                                         std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<nlohmann::json> found;
    auto scan = [&] {
        for (const auto& line : lines_) {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.value("msg", "") == msg) {
                found = j;
                return true;
            }
        }
        return eof_;
    };
    changed_.wait_for(lock, timeout, scan);
    return found;
}

void LifecycleProcess::wait_ready() {
    auto listening = wait_for("listening");
    if (!listening) {
        for (auto& l : lines()) UNSCOPED_INFO("lifecycle: " << l);
    }
    REQUIRE(listening);
    auto bus = wait_for("bus bound");
    REQUIRE(bus);
    port_ = (*listening)["port"].get<std::uint16_t>();
    bus_endpoint_ = (*bus)["endpoint"].get<std::string>();
}

int LifecycleProcess::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_code_) return *exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            killed_by_sigkill_ = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            if (reader_.joinable()) reader_.join();
            return *exit_code_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

bool LifecycleProcess::kill9(std::chrono::milliseconds timeout) {
    if (exit_code_) return false;
    ::kill(pid_, SIGKILL);
    wait_exit(timeout);
    return killed_by_sigkill_;
}

int LifecycleProcess::terminate(std::chrono::milliseconds timeout) {
    if (exit_code_) return *exit_code_;
    ::kill(pid_, SIGTERM);
    return wait_exit(timeout);
}

std::vector<std::string> LifecycleProcess::lines() {
    std::lock_guard lock(mutex_);
    return lines_;
}

}  // namespace pulse::test
