#pragma once
// The one Prometheus text exposition writer (format 0.0.4) of both services, and the metric
// types behind it. A Registry owns series grouped in families (one # HELP / # TYPE each, in
// registration order); hot paths keep the Counter/Gauge/Histogram reference they registered and
// update it with relaxed atomics, never a lookup. Values that already live elsewhere (session
// counts, queue depths) are read at scrape time through counter_fn / gauge_fn.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pulse::prom {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
  public:
    void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> v_{0};
};

class Gauge {
  public:
    void set(double v) { v_.store(v, std::memory_order_relaxed); }
    void add(double d) { v_.fetch_add(d, std::memory_order_relaxed); }
    double value() const { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> v_{0};
};

class Histogram {
  public:
    // Upper bounds, strictly increasing; +Inf is implicit.
    explicit Histogram(std::vector<double> bounds);
    void observe(double v);

    struct Snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
        double sum = 0;
    };
    Snapshot snapshot() const;

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1 buckets
    std::atomic<double> sum_{0};
};

// Bucket bounds in seconds from 100 us to 10 s, for latencies.
std::vector<double> latency_buckets();

// Formats families and samples; checks names and keeps # HELP / # TYPE once per family.
class Writer {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const Labels& labels, double value);
    void histogram(std::string_view name, const Labels& labels, const Histogram::Snapshot& s);
    const std::string& text() const { return out_; }

    static bool valid_name(std::string_view name);
    static std::string format_value(double v);

  private:
    void series(std::string_view name, const Labels& labels,
                const std::pair<std::string, std::string>* extra);
    std::string out_;
    std::vector<std::string> families_;
};

class Registry {
  public:
    Counter& counter(const std::string& name, const std::string& help, Labels labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, Labels labels = {});
    Histogram& histogram(const std::string& name, const std::string& help,
                         std::vector<double> bounds, Labels labels = {});
    void counter_fn(const std::string& name, const std::string& help, Labels labels,
                    std::function<double()> read);
    void gauge_fn(const std::string& name, const std::string& help, Labels labels,
                  std::function<double()> read);

    std::string text() const;

  private:
    struct Series {
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
        std::function<double()> read;
    };
    struct Family {
        std::string name, type, help;
        std::vector<Series> series;
    };
    Series& add(const std::string& name, const char* type, const std::string& help, Labels labels);

    mutable std::mutex mu_;
    std::vector<std::unique_ptr<Family>> families_;
};

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds (from /proc/self).
void add_process_metrics(Registry& r);
// pulse_build_info{service, version} 1.
void add_build_info(Registry& r, const std::string& service);

}  // namespace pulse::prom
