#pragma once
// Versioned schema migrations, applied at start-up. Each runs once (schema_migrations records
// it); the whole run holds a transaction-scoped advisory lock, so two instances starting together
// apply each migration exactly once and the second simply finds them done.
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

namespace pulse::lifecycle::db {

struct Migration {
    int version;
    const char* name;
    std::string_view sql;  // services/lifecycle/sql/NNN_*.sql, compiled in
};

const std::vector<Migration>& migrations();

struct MigrationReport {
    std::vector<int> applied;  // versions applied by this call (empty when up to date)
    int current = 0;           // highest version present afterwards
};

MigrationReport migrate(pqxx::connection& conn);

}  // namespace pulse::lifecycle::db
