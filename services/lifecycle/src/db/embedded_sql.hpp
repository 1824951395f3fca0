#pragma once
// The SQL files of services/lifecycle/sql/ (the migrations) and sql/statements/ (statements the
// lifecycle prepares), compiled in (cmake/embed_sql.cmake generates the definitions at build
// time), in file-name order.
#include <string_view>
#include <vector>

namespace pulse::lifecycle::db {

struct SqlFile {
    std::string_view name;  // e.g. "004_group_commit.sql"
    std::string_view text;
};

const std::vector<SqlFile>& embedded_sql();         // sql/*.sql
const std::vector<SqlFile>& embedded_statements();  // sql/statements/*.sql

}  // namespace pulse::lifecycle::db
