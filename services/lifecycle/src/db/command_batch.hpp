#pragma once
// One batch of stream commands as ONE statement: pulse_apply_commands(jsonb) (sql/004), so the
// whole batch is one round trip, one transaction and one commit. Commands run in order; a
// refused one (not_found / conflict) writes nothing and does not disturb the others. Result
// columns are read by position, their names checked once per result.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace pulse::lifecycle::db {

// pulse_outcome in SQL.
enum class Outcome { created, unchanged, done, not_found, conflict };
Outcome outcome_from_sql(std::string_view text);  // throws std::runtime_error when unknown
const char* to_sql(Outcome outcome);

struct CommandResult {
    Outcome outcome = Outcome::done;
    std::string field;     // the offending request field of not_found / conflict
    std::int64_t seq = 0;  // the committed event's seq, 0 when nothing was written
    std::string sender;
    std::string receiver;
    std::string amount;     // the stream total (numeric::text)
    std::string withdrawn;  // after the command
    std::string status;     // after the command
};

// Defines the batch call as a prepared statement of `conn`; run on every new connection.
void prepare_command_statements(pqxx::connection_base& conn);

// `commands_json`: a JSON array of `count` commands (see sql/004_group_commit.sql). Runs in
// `tx`; with a pqxx::nontransaction the statement commits by itself when it returns.
// `notify`: whether the batch NOTIFYs pulse_outbox at commit (sql/007: the elected publisher of
// another instance needs it; this instance's own publisher is handed the rows directly).
// Returns one result per command, in order.
std::vector<CommandResult> apply_commands(pqxx::transaction_base& tx,
                                          const std::string& commands_json, std::size_t count,
                                          bool notify);

// A batch whose every command is a create (op "create", fields as for apply_commands), when
// every id is new and none repeats: one plain statement that writes and answers what
// apply_commands would, for a fraction of PostgreSQL's CPU (the .sql file says why). When
// an id is taken or repeated it throws pqxx::unique_violation and writes nothing; the caller
// then runs the same batch through apply_commands, which decides each command.
std::vector<CommandResult> create_streams(pqxx::transaction_base& tx,
                                          const std::string& commands_json, std::size_t count,
                                          bool notify);
// The statement's text, sql/statements/create_streams.sql (tests compare it with
// pulse_apply_commands on the same batches).
std::string create_streams_sql();

}  // namespace pulse::lifecycle::db
