#include "pulse/config_table.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pulse/env_config.hpp"
#include "pulse/log.hpp"

extern char** environ;

namespace pulse::config {

using env::ConfigError;

Table::Table(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

Table& Table::add(Variable v) {
    for (const auto& existing : vars_)
        if (existing.name == v.name) throw std::logic_error("declared twice: " + v.name);
    vars_.push_back(std::move(v));
    return *this;
}

Table& Table::text(std::string name, std::string& out, std::string default_text,
                   std::string meaning, std::function<void(const std::string&)> validate) {
    return add({std::move(name), std::move(default_text), std::move(meaning),
                [&out, validate](const std::string& t) {
                    if (validate) validate(t);
                    out = t;
                }});
}

Table& Table::secret(std::string name, std::string& out, std::string meaning, bool required,
                     std::function<void(const std::string&)> validate) {
    Variable v{std::move(name), "", std::move(meaning), [&out, validate](const std::string& t) {
                   if (validate) validate(t);
                   out = t;
               }};
    v.secret = true;
    v.required = required;
    return add(std::move(v));
}

Table& Table::integer(std::string name, std::int64_t& out, std::int64_t default_value,
                      std::int64_t min, std::int64_t max, std::string meaning) {
    const std::string n = name;
    return add(
        {std::move(name), std::to_string(default_value), std::move(meaning),
         [&out, n, min, max](const std::string& t) { out = env::parse_int(n, t, min, max); }});
}

Table& Table::size(std::string name, std::size_t& out, std::size_t default_value, std::size_t min,
                   std::size_t max, std::string meaning) {
    const std::string n = name;
    return add({std::move(name), std::to_string(default_value), std::move(meaning),
                [&out, n, min, max](const std::string& t) {
                    out = static_cast<std::size_t>(env::parse_int(
                        n, t, static_cast<std::int64_t>(min), static_cast<std::int64_t>(max)));
                }});
}

Table& Table::port(std::string name, std::uint16_t& out, std::uint16_t default_value,
                   std::string meaning) {
    const std::string n = name;
    return add({std::move(name), std::to_string(default_value), std::move(meaning),
                [&out, n](const std::string& t) {
                    out = static_cast<std::uint16_t>(env::parse_int(n, t, 0, 65535));
                }});
}

Table& Table::millis(std::string name, std::chrono::milliseconds& out, std::int64_t default_ms,
                     std::int64_t min_ms, std::int64_t max_ms, std::string meaning) {
    const std::string n = name;
    return add({std::move(name), std::to_string(default_ms), std::move(meaning),
                [&out, n, min_ms, max_ms](const std::string& t) {
                    out = std::chrono::milliseconds(env::parse_int(n, t, min_ms, max_ms));
                }});
}

Table& Table::flag(std::string name, bool& out, bool default_value, std::string meaning) {
    const std::string n = name;
    return add({std::move(name), default_value ? "on" : "off", std::move(meaning),
                [&out, n](const std::string& t) { out = env::parse_bool(n, t); }});
}

Table& Table::list(std::string name, std::vector<std::string>& out, std::string default_text,
                   std::string meaning, std::function<void(const std::string&)> validate_entry) {
    const std::string n = name;
    return add({std::move(name), std::move(default_text), std::move(meaning),
                [&out, n, validate_entry](const std::string& t) {
                    auto items = env::parse_list(t);
                    if (validate_entry) {
                        for (const auto& item : items) {
                            try {
                                validate_entry(item);
                            } catch (const std::exception& e) {
                                throw ConfigError(n + ": entry '" + item + "' " + e.what());
                            }
                        }
                    }
                    out = std::move(items);
                }});
}

void Table::load(const Getter& get) {
    loaded_.assign(vars_.size(), std::nullopt);
    for (std::size_t i = 0; i < vars_.size(); ++i) {
        const auto& v = vars_[i];
        auto value = get(v.name);
        if (!value && v.required) throw ConfigError(v.name + " is required (" + v.meaning + ")");
        if (!value && v.secret) continue;
        const std::string text = value ? *value : v.default_text;
        try {
            v.apply(text);
        } catch (const ConfigError&) {
            throw;
        } catch (const std::exception& e) {
            throw ConfigError(v.name + ": " + e.what());
        }
        loaded_[i] = text;
    }
}

nlohmann::ordered_json Table::effective() const {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < vars_.size(); ++i) {
        const bool set = i < loaded_.size() && loaded_[i].has_value();
        if (vars_[i].secret)
            out[vars_[i].name] = set ? "(set)" : "(unset)";
        else
            out[vars_[i].name] = set ? *loaded_[i] : "";
    }
    return out;
}

std::vector<std::string> Table::unknown(const std::vector<std::string>& present,
                                        const std::string& prefix) const {
    std::vector<std::string> out;
    for (const auto& name : present) {
        if (name.rfind(prefix, 0) != 0) continue;
        auto known = std::find_if(vars_.begin(), vars_.end(),
                                  [&](const Variable& v) { return v.name == name; });
        if (known == vars_.end()) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {
std::string shown_default(const Variable& v) {
    if (v.required) return "(required)";
    if (v.secret || v.default_text.empty()) return "(empty)";
    return v.default_text;
}

std::string markdown_cell(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '|')
            out += "\\|";
        else
            out += c;
    }
    return out;
}
}  // namespace

std::string Table::help_text() const {
    std::ostringstream o;
    o << program_ << ' ' << version() << ": " << summary_ << "\n\n"
      << "Usage: " << program_ << " [--help [--markdown] | --version]\n"
      << "Configured by environment variables only (unset or empty: the default):\n\n";
    for (const auto& v : vars_) {
        o << "  " << v.name;
        const std::size_t pad = v.name.size() < 30 ? 30 - v.name.size() : 1;
        o << std::string(pad, ' ') << "default: " << shown_default(v) << '\n'
          << "      " << v.meaning << (v.secret ? " Secret: never logged." : "") << '\n';
    }
    return o.str();
}

std::string Table::markdown() const {
    std::ostringstream o;
    o << "| Variable | Default | Meaning |\n|---|---|---|\n";
    for (const auto& v : vars_) {
        const std::string d = shown_default(v);
        o << "| `" << v.name << "` | " << (d.front() == '(' ? d : "`" + markdown_cell(d) + "`")
          << " | " << markdown_cell(v.meaning) << (v.secret ? " Secret: never logged." : "")
          << " |\n";
    }
    return o.str();
}

Getter process_environment() {
    return [](const std::string& name) { return env::get(name.c_str()); };
}

std::vector<std::string> process_environment_names() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        const char* eq = std::strchr(*e, '=');
        out.emplace_back(*e, eq ? static_cast<std::size_t>(eq - *e) : std::strlen(*e));
    }
    return out;
}

std::optional<int> start(int argc, char** argv, Table& table) {
    bool help = false, markdown = false, show_version = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            help = true;
        } else if (a == "--markdown") {
            markdown = true;
        } else if (a == "--version") {
            show_version = true;
        } else {
            std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n",
                         table.program().c_str(), a.c_str());
            return 2;
        }
    }
    if (markdown && !help) {
        std::fprintf(stderr, "%s: --markdown goes with --help\n", table.program().c_str());
        return 2;
    }
    if (help) {
        std::fputs((markdown ? table.markdown() : table.help_text()).c_str(), stdout);
        return 0;
    }
    if (show_version) {
        std::printf("%s %s\n", table.program().c_str(), version());
        return 0;
    }
    try {
        table.load(process_environment());
    } catch (const ConfigError& e) {
        // One JSON line like every other line of the service, so log collectors keep it too.
        log::error(std::string("bad configuration: ") + e.what());
        return 2;
    }
    for (const auto& name : table.unknown(process_environment_names()))
        log::warn("unknown variable ignored", {{"variable", name}, {"hint", "see --help"}});
    log::info("configuration", {{"version", version()}, {"settings", table.effective()}});
    return std::nullopt;
}

void require_url_with_scheme(const std::string& entry) {
    if (entry == "*") return;
    const auto sep = entry.find("://");
    const bool scheme_ok =
        sep != std::string::npos && sep > 0 &&
        std::all_of(entry.begin(), entry.begin() + static_cast<std::ptrdiff_t>(sep), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    if (!scheme_ok) throw ConfigError("needs a scheme, e.g. https://" + entry);
    const std::string rest = entry.substr(sep + 3);
    if (rest.empty()) throw ConfigError("has no host");
    if (rest.find('/') != std::string::npos) throw ConfigError("must not have a path");
}

void require_log_level(const std::string& text) {
    try {
        log::set_level(log::parse_level(text));
    } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what());
    }
}

std::size_t usable_cpus(const char* cpu_max) {
    std::size_t cpus = 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        cpus = static_cast<std::size_t>(CPU_COUNT(&set));
    if (cpus == 0) cpus = static_cast<std::size_t>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    // cgroup v2: "max 100000" (no quota) or "<quota> <period>" in microseconds.
    std::ifstream f(cpu_max);
    std::string quota;
    long long period = 0;
    if (f >> quota >> period && quota != "max" && period > 0) {
        try {
            const long long q = std::stoll(quota);
            const auto allowed = static_cast<std::size_t>(std::max(1LL, (q + period - 1) / period));
            cpus = std::min(cpus, allowed);
        } catch (const std::exception&) {
        }
    }
    return std::max<std::size_t>(1, cpus);
}

}  // namespace pulse::config
