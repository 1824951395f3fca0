#pragma once
// The three stream commands, each one call of its PL/pgSQL function (migration 2): one round trip
// per request, run in autocommit, so the call's writes, seq and outbox row commit together when
// it returns. Amounts cross this layer as decimal strings (numeric::text).
#include <cstdint>
#include <string>

#include <pqxx/connection>
#include <pqxx/nontransaction>

namespace pulse::lifecycle::db {

// Defines the calls below as prepared statements of `conn` (parsed and planned once per
// connection, not once per request); called on every new pooled connection.
void prepare_stream_statements(pqxx::connection& conn);

// What a command function returns (pulse_command_result).
struct CommandResult {
    enum class Outcome { created, unchanged, done, not_found, conflict };
    Outcome outcome = Outcome::done;
    std::string field;     // the offending request field of not_found / conflict
    std::int64_t seq = 0;  // the committed event's seq, 0 when nothing was written
    std::string sender;
    std::string receiver;
    std::string amount;     // the stream total
    std::string withdrawn;  // after the command
    std::string status;     // after the command
};

CommandResult create_stream(pqxx::nontransaction& tx, const std::string& stream_id,
                            const std::string& sender, const std::string& receiver,
                            const std::string& amount, const std::string& timestamp);
CommandResult register_withdrawal(pqxx::nontransaction& tx, const std::string& stream_id,
                                  const std::string& amount, const std::string& timestamp);
CommandResult cancel_stream(pqxx::nontransaction& tx, const std::string& stream_id,
                            const std::string& to_receiver, const std::string& to_sender,
                            const std::string& timestamp);

}  // namespace pulse::lifecycle::db
