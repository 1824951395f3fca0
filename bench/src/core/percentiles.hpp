#pragma once
// Exact percentiles over every recorded latency sample (nearest-rank), no histogram error.
#include <cstdint>
#include <vector>

namespace pulse::bench {

struct LatencySummary {
    std::uint64_t count = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

// Sorts `samples_ns` in place.
LatencySummary summarize_latency(std::vector<std::uint64_t>& samples_ns);

// Nearest-rank percentile of sorted data, q in [0,1]; 0 for no data.
std::uint64_t nearest_rank(const std::vector<std::uint64_t>& sorted, double q);

// Median of a few run figures (used to combine repeats).
double median(std::vector<double> values);

}  // namespace pulse::bench
