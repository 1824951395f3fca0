#pragma once
// "--name value" command-line options (a flag without a value reads as "1"); repeated options
// keep every value. Unknown options are an error so that a typo never silently runs a default.
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pulse::bench {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class CliArgs {
  public:
    CliArgs(int argc, char** argv, int first, const std::set<std::string>& known,
            const std::set<std::string>& flags);
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    std::string str(const std::string& name, const std::string& fallback) const;
    std::vector<std::string> all(const std::string& name) const;
    double number(const std::string& name, double fallback, double min, double max) const;

  private:
    std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace pulse::bench
