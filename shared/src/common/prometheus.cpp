#include "pulse/prometheus.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <dirent.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pulse/config_table.hpp"

namespace pulse::prom {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i + 1 < bounds_.size(); ++i)
        if (!(bounds_[i] < bounds_[i + 1]))
            throw std::logic_error("histogram bounds must increase");
    for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double v) {
    const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
    counts_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.bounds = bounds_;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

std::vector<double> latency_buckets() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

bool Writer::valid_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::string Writer::format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

namespace {
void append_escaped(std::string& out, std::string_view s, bool quotes) {
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quotes && c == '"')
            out += "\\\"";
        else
            out += c;
    }
}
}  // namespace

void Writer::family(std::string_view name, std::string_view type, std::string_view help) {
    if (!valid_name(name)) throw std::invalid_argument("bad metric name: " + std::string(name));
    if (type != "counter" && type != "gauge" && type != "histogram")
        throw std::invalid_argument("bad metric type: " + std::string(type));
    if (std::find(families_.begin(), families_.end(), name) != families_.end())
        throw std::logic_error("metric family written twice: " + std::string(name));
    families_.emplace_back(name);
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void Writer::series(std::string_view name, const Labels& labels,
                    const std::pair<std::string, std::string>* extra) {
    out_ += name;
    if (labels.empty() && !extra) return;
    out_ += '{';
    bool first = true;
    auto put = [&](const std::string& k, const std::string& v) {
        if (!valid_name(k) || k.find(':') != std::string::npos)
            throw std::invalid_argument("bad label name: " + k);
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        append_escaped(out_, v, true);
        out_ += '"';
    };
    for (const auto& [k, v] : labels) put(k, v);
    if (extra) put(extra->first, extra->second);
    out_ += '}';
}

void Writer::sample(std::string_view name, const Labels& labels, double value) {
    series(name, labels, nullptr);
    out_ += ' ';
    out_ += format_value(value);
    out_ += '\n';
}

void Writer::histogram(std::string_view name, const Labels& labels, const Histogram::Snapshot& s) {
    const std::string base(name);
    for (std::size_t i = 0; i <= s.bounds.size(); ++i) {
        const std::pair<std::string, std::string> le{
            "le", i < s.bounds.size() ? format_value(s.bounds[i]) : "+Inf"};
        series(base + "_bucket", labels, &le);
        out_ += ' ';
        out_ += std::to_string(s.cumulative[i]);
        out_ += '\n';
    }
    sample(base + "_sum", labels, s.sum);
    sample(base + "_count", labels, static_cast<double>(s.cumulative.back()));
}

Registry::Series& Registry::add(const std::string& name, const char* type, const std::string& help,
                                Labels labels) {
    if (!Writer::valid_name(name)) throw std::invalid_argument("bad metric name: " + name);
    std::lock_guard lock(mu_);
    auto it = std::find_if(families_.begin(), families_.end(),
                           [&](const auto& f) { return f->name == name; });
    if (it == families_.end()) {
        families_.push_back(std::make_unique<Family>(Family{name, type, help, {}}));
        it = families_.end() - 1;
    } else if ((*it)->type != type) {
        throw std::logic_error("metric " + name + " registered as " + (*it)->type + " and " + type);
    }
    for (const auto& s : (*it)->series)
        if (s.labels == labels) throw std::logic_error("metric series registered twice: " + name);
    (*it)->series.push_back(Series{std::move(labels), nullptr, nullptr, nullptr, nullptr});
    return (*it)->series.back();
}

Counter& Registry::counter(const std::string& name, const std::string& help, Labels labels) {
    auto& s = add(name, "counter", help, std::move(labels));
    s.counter = std::make_unique<Counter>();
    return *s.counter;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, Labels labels) {
    auto& s = add(name, "gauge", help, std::move(labels));
    s.gauge = std::make_unique<Gauge>();
    return *s.gauge;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               std::vector<double> bounds, Labels labels) {
    auto h = std::make_unique<Histogram>(std::move(bounds));
    auto& s = add(name, "histogram", help, std::move(labels));
    s.histogram = std::move(h);
    return *s.histogram;
}

void Registry::counter_fn(const std::string& name, const std::string& help, Labels labels,
                          std::function<double()> read) {
    add(name, "counter", help, std::move(labels)).read = std::move(read);
}

void Registry::gauge_fn(const std::string& name, const std::string& help, Labels labels,
                        std::function<double()> read) {
    add(name, "gauge", help, std::move(labels)).read = std::move(read);
}

std::string Registry::text() const {
    Writer w;
    std::lock_guard lock(mu_);
    for (const auto& f : families_) {
        w.family(f->name, f->type, f->help);
        for (const auto& s : f->series) {
            if (s.histogram)
                w.histogram(f->name, s.labels, s.histogram->snapshot());
            else if (s.counter)
                w.sample(f->name, s.labels, static_cast<double>(s.counter->value()));
            else if (s.gauge)
                w.sample(f->name, s.labels, s.gauge->value());
            else
                w.sample(f->name, s.labels, s.read());
        }
    }
    return w.text();
}

namespace {
// Fields of /proc/self/stat after the command name: utime (14), stime (15), starttime (22),
// vsize (23), rss (24), counted from 1 over the whole line.
struct ProcStat {
    double cpu_seconds = 0, start_time = 0, vsize = 0, rss_bytes = 0;
};

ProcStat read_proc_stat() {
    ProcStat out;
    std::ifstream f("/proc/self/stat");
    std::string line;
    if (!std::getline(f, line)) return out;
    const auto close = line.rfind(')');
    if (close == std::string::npos) return out;
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> fields;
    for (std::string field; rest >> field;) fields.push_back(field);
    // fields[0] is field 3 (state).
    auto at = [&](std::size_t n) { return n - 3 < fields.size() ? std::stod(fields[n - 3]) : 0.0; };
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    out.cpu_seconds = (at(14) + at(15)) / ticks;
    out.vsize = at(23);
    out.rss_bytes = at(24) * static_cast<double>(sysconf(_SC_PAGESIZE));
    double boot = 0;
    std::ifstream s("/proc/stat");
    for (std::string key; s >> key;) {
        if (key == "btime") {
            s >> boot;
            break;
        }
        std::getline(s, key);
    }
    out.start_time = boot + at(22) / ticks;
    return out;
}

double open_fds() {
    DIR* d = opendir("/proc/self/fd");
    if (!d) return 0;
    double n = 0;
    while (auto* e = readdir(d))
        if (e->d_name[0] != '.') ++n;
    closedir(d);
    return n - 1;  // the directory handle itself
}
}  // namespace

void add_process_metrics(Registry& r) {
    r.counter_fn("process_cpu_seconds_total", "User and system CPU time spent in seconds.", {},
                 [] { return read_proc_stat().cpu_seconds; });
    r.gauge_fn("process_resident_memory_bytes", "Resident memory size in bytes.", {},
               [] { return read_proc_stat().rss_bytes; });
    r.gauge_fn("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
               [] { return read_proc_stat().vsize; });
    r.gauge_fn("process_open_fds", "Number of open file descriptors.", {}, open_fds);
    r.gauge_fn("process_max_fds", "Maximum number of open file descriptors.", {}, [] {
        rlimit l{};
        getrlimit(RLIMIT_NOFILE, &l);
        return static_cast<double>(l.rlim_cur);
    });
    const double start = read_proc_stat().start_time;
    r.gauge_fn("process_start_time_seconds", "Start time of the process since the Unix epoch.", {},
               [start] { return start; });
}

void add_build_info(Registry& r, const std::string& service) {
    r.gauge_fn("pulse_build_info", "The running build: always 1, its version in the labels.",
               {{"service", service}, {"version", config::version()}}, [] { return 1.0; });
}

}  // namespace pulse::prom
