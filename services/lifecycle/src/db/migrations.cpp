#include <pqxx/pqxx>

#include "db/migrations.hpp"

#include <set>
#include <stdexcept>

#include <pqxx/transaction>

#include "db/embedded_sql.hpp"

namespace pulse::lifecycle::db {
namespace {

// Any constant works as long as every instance uses the same one.
constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock(7420113520261126)";

constexpr const char* kCreateMigrationsTable = R"SQL(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
))SQL";

constexpr const char* kAppliedVersions = "SELECT version FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";

struct Listed {
    int version;
    const char* file;  // in services/lifecycle/sql/
    const char* name;  // recorded in schema_migrations
};

// The order is the schema's history: a released migration is never edited, only followed.
constexpr Listed kMigrations[] = {
    {1, "001_schema.sql", "streams, withdrawals, cancellations, outbox"},
    {2, "002_command_functions.sql", "one function per command (one round trip each)"},
    {3, "003_domains.sql", "single-column checks as domains (parsed once per backend)"},
    {4, "004_group_commit.sql",
     "group commit: one batch per statement, publish cursor, money rules"},
    {5, "005_cheap_checks.sql", "address and stream id checks without counted regex repetition"},
    {6, "006_one_pass_results.sql", "the batch reads its steps back in one pass"},
    {7, "007_set_based_creates.sql", "a run of creates is one INSERT"},
    {8, "008_insert_first.sql", "a run of new ids is a plain INSERT, without ON CONFLICT"},
    {9, "009_payload_text.sql", "outbox payloads keep their text and key order (json)"},
};

std::string_view sql_of(const char* file) {
    for (const auto& f : embedded_sql())
        if (f.name == file) return f.text;
    throw std::logic_error(std::string("migration file not compiled in: ") + file);
}

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = [] {
        std::vector<Migration> out;
        for (const auto& m : kMigrations) out.push_back({m.version, m.name, sql_of(m.file)});
        return out;
    }();
    return all;
}

MigrationReport migrate(pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec(kLockMigrations);
    tx.exec(kCreateMigrationsTable);
    std::set<int> done;
    for (const auto& row : tx.exec(kAppliedVersions)) done.insert(row[0].as<int>());
    MigrationReport report;
    for (const auto& m : migrations()) {
        if (done.count(m.version)) continue;
        tx.exec(std::string(m.sql));
        tx.exec_params(kRecordMigration, m.version, m.name);
        report.applied.push_back(m.version);
        done.insert(m.version);
    }
    report.current = done.empty() ? 0 : *done.rbegin();
    tx.commit();
    return report;
}

}  // namespace pulse::lifecycle::db
