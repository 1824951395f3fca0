#pragma once
// One declaration per environment variable of a service: its name, default, meaning, parser and
// whether it is a secret. The same table answers --help (text or Markdown for the README), loads
// and validates the environment at start, logs the effective configuration with secrets masked
// and warns about PULSE_* variables it does not know. A default is stored as text and goes
// through the same parser as a value from the environment, so the documented default is the one
// in use.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pulse::config {

// Reads one variable; nullopt when unset (an empty value counts as unset).
using Getter = std::function<std::optional<std::string>(const std::string& name)>;

struct Variable {
    std::string name;
    std::string default_text;  // used when unset; shown by --help
    std::string meaning;       // one sentence for --help and the README
    // Parses and validates the text and stores the result; throws env::ConfigError (or any
    // std::exception, reported with the variable's name).
    std::function<void(const std::string& text)> apply;
    bool secret = false;    // never logged or shown; the effective configuration says "(set)"
    bool required = false;  // no default: start-up fails when unset
};

class Table {
  public:
    Table(std::string program, std::string summary);

    Table& add(Variable v);

    // Typed declarations: each stores into `out` at load().
    Table& text(std::string name, std::string& out, std::string default_text, std::string meaning,
                std::function<void(const std::string&)> validate = {});
    Table& secret(std::string name, std::string& out, std::string meaning, bool required,
                  std::function<void(const std::string&)> validate = {});
    Table& integer(std::string name, std::int64_t& out, std::int64_t default_value,
                   std::int64_t min, std::int64_t max, std::string meaning);
    Table& size(std::string name, std::size_t& out, std::size_t default_value, std::size_t min,
                std::size_t max, std::string meaning);
    Table& port(std::string name, std::uint16_t& out, std::uint16_t default_value,
                std::string meaning);
    Table& millis(std::string name, std::chrono::milliseconds& out, std::int64_t default_ms,
                  std::int64_t min_ms, std::int64_t max_ms, std::string meaning);
    Table& flag(std::string name, bool& out, bool default_value, std::string meaning);
    // Comma-separated; each non-empty trimmed entry goes through validate_entry.
    Table& list(std::string name, std::vector<std::string>& out, std::string default_text,
                std::string meaning, std::function<void(const std::string&)> validate_entry = {});

    const std::string& program() const { return program_; }
    const std::vector<Variable>& variables() const { return vars_; }

    // Applies every variable (value or default). Throws env::ConfigError with one line naming
    // the variable for the first bad or missing one.
    void load(const Getter& get);
    // Effective values as loaded, secrets replaced by "(set)" / "(unset)". Call after load().
    nlohmann::ordered_json effective() const;
    // Names in `present` that start with `prefix` and are not declared here.
    std::vector<std::string> unknown(const std::vector<std::string>& present,
                                     const std::string& prefix = "PULSE_") const;

    std::string help_text() const;
    std::string markdown() const;

  private:
    std::string program_;
    std::string summary_;
    std::vector<Variable> vars_;
    std::vector<std::optional<std::string>> loaded_;
};

// The project version, from CMake's project(VERSION).
const char* version();

// Getter over the process environment, and the names of every variable set in it.
Getter process_environment();
std::vector<std::string> process_environment_names();

// The start of a service's main(): handles --help [--markdown] and --version (exit 0) and
// unknown arguments (exit 2), then loads the environment into the table (a bad setting: one
// error log line "bad configuration: ...", exit 2), warns about unknown PULSE_* variables and logs
// the effective configuration once. Returns the exit code when the process should stop now, nullopt
// to run. Call after log::init().
std::optional<int> start(int argc, char** argv, Table& table);

// Validators shared by the services.
// scheme://host[:port] without a path, or "*".
void require_url_with_scheme(const std::string& entry);
void require_log_level(const std::string& text);  // applies it to pulse::log as well
// CPUs this process may run on: the affinity mask, lowered by a cgroup v2 cpu.max quota.
// `cpu_max` is the cgroup v2 file to read (a parameter for the tests).
std::size_t usable_cpus(const char* cpu_max = "/sys/fs/cgroup/cpu.max");

}  // namespace pulse::config
