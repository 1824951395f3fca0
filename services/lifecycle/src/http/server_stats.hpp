#pragma once
// Counters the HTTP server keeps for /metrics (the router renders them).
#include <atomic>
#include <cstdint>

namespace pulse::lifecycle::http {

struct ServerStats {
    std::atomic<std::uint64_t> accept_errors{0};      // failed accepts (EMFILE, ENFILE, ...)
    std::atomic<std::uint64_t> accept_pauses{0};      // times the listener paused after one
    std::atomic<std::uint64_t> header_timeouts{0};    // request heads not complete in time (408)
    std::atomic<std::uint64_t> request_timeouts{0};   // bodies not complete in time (408)
    std::atomic<std::uint64_t> rejected_requests{0};  // 400/413/431 before routing
    std::atomic<std::uint64_t> shed_connections{0};   // closed without a head to free descriptors
};

}  // namespace pulse::lifecycle::http
