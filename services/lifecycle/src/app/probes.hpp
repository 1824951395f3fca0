#pragma once
// What the lifecycle's probes ask the database (docs/operations.md "Health and readiness"):
// /livez never touches it (a database outage must not restart the process), /readyz needs it
// reachable and migrated to the schema this binary expects, /health reports both plus the bus.
#include <chrono>

#include "db/pool.hpp"

namespace pulse::lifecycle {

struct DatabaseProbe {
    bool reachable = false;
    int schema_version = 0;  // highest applied migration, 0 when unknown
    int expected_version = 0;
    bool migrated() const { return reachable && schema_version >= expected_version; }
};

// One short query on a pooled connection; a broken connection is discarded so the next lease
// reconnects. Never throws.
DatabaseProbe probe_database(db::ConnectionPool& pool, std::chrono::milliseconds wait);

}  // namespace pulse::lifecycle
