#include <pqxx/pqxx>

#include "app/probes.hpp"

#include <algorithm>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "db/migrations.hpp"

namespace pulse::lifecycle {

DatabaseProbe probe_database(db::ConnectionPool& pool, std::chrono::milliseconds wait) {
    DatabaseProbe probe;
    for (const auto& m : db::migrations())
        probe.expected_version = std::max(probe.expected_version, m.version);
    try {
        auto lease = pool.acquire(wait);
        try {
            pqxx::nontransaction tx(lease.get());
            const auto row = tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations");
            probe.reachable = true;
            probe.schema_version = row[0].as<int>();
        } catch (const pqxx::broken_connection&) {
            lease.discard();
        } catch (const pqxx::undefined_table&) {
            probe.reachable = true;  // reachable, never migrated
        }
    } catch (const std::exception&) {
        // pool exhausted or the connection could not be opened: not reachable for our purpose
    }
    return probe;
}

}  // namespace pulse::lifecycle
