#include "percentiles.hpp"

#include <algorithm>
#include <cmath>

namespace pulse::bench {

std::uint64_t nearest_rank(const std::vector<std::uint64_t>& sorted, double q) {
    if (sorted.empty()) return 0;
    const double rank = std::ceil(q * static_cast<double>(sorted.size()));
    std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    if (index >= sorted.size()) index = sorted.size() - 1;
    return sorted[index];
}

LatencySummary summarize_latency(std::vector<std::uint64_t>& samples_ns) {
    std::sort(samples_ns.begin(), samples_ns.end());
    LatencySummary s;
    s.count = samples_ns.size();
    auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
    s.p50_ms = ms(nearest_rank(samples_ns, 0.50));
    s.p90_ms = ms(nearest_rank(samples_ns, 0.90));
    s.p99_ms = ms(nearest_rank(samples_ns, 0.99));
    s.p999_ms = ms(nearest_rank(samples_ns, 0.999));
    s.max_ms = samples_ns.empty() ? 0 : ms(samples_ns.back());
    return s;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace pulse::bench
