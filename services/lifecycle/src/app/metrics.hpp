#pragma once
// A few Prometheus counters for GET /metrics (text exposition format 0.0.4).
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace pulse::lifecycle {

struct Metrics {
    // requests by status class: 2xx, 4xx, 5xx
    std::array<std::atomic<std::uint64_t>, 3> requests_by_class{};
    std::atomic<std::uint64_t> client_errors_by_status_404{0};
    std::atomic<std::uint64_t> client_errors_by_status_409{0};

    void count_response(int status) {
        if (status >= 500)
            ++requests_by_class[2];
        else if (status >= 400)
            ++requests_by_class[1];
        else
            ++requests_by_class[0];
    }
};

}  // namespace pulse::lifecycle
