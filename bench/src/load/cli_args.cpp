#include "cli_args.hpp"

#include <charconv>

namespace pulse::bench {

CliArgs::CliArgs(int argc, char** argv, int first, const std::set<std::string>& known,
                 const std::set<std::string>& flags) {
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + arg + "'");
        std::string name = arg.substr(2);
        if (!known.count(name) && !flags.count(name)) throw UsageError("unknown option --" + name);
        if (flags.count(name)) {
            values_[name].push_back("1");
            continue;
        }
        if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
        values_[name].push_back(argv[++i]);
    }
}

std::string CliArgs::str(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> CliArgs::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

double CliArgs::number(const std::string& name, double fallback, double min, double max) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    const std::string& text = it->second.back();
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < min || v > max) {
        throw UsageError("--" + name + " must be a number in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "], got '" + text + "'");
    }
    return v;
}

}  // namespace pulse::bench
