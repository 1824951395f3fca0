#pragma once
// SQL on streams / withdrawals / cancellations. Amounts cross this layer as decimal strings
// (numeric::text), the domain layer owns their arithmetic.
#include <optional>
#include <string>

#include <pqxx/connection>
#include <pqxx/transaction>

namespace pulse::lifecycle::db {

// Defines the statements below as prepared statements of `conn` (PostgreSQL parses and plans
// each once per connection, not once per request); called on every new pooled connection.
void prepare_stream_statements(pqxx::connection& conn);

struct StreamRow {
    std::string sender;
    std::string receiver;
    std::string amount;
    std::string withdrawn;
    std::string status;
};

// false when a stream with that id already exists (nothing written).
bool insert_stream_if_absent(pqxx::work& tx, const std::string& stream_id,
                             const std::string& sender, const std::string& receiver,
                             const std::string& amount);
// FOR UPDATE: the row stays locked until commit, so concurrent withdrawals serialize on it.
std::optional<StreamRow> lock_stream(pqxx::work& tx, const std::string& stream_id);
std::optional<StreamRow> read_stream(pqxx::work& tx, const std::string& stream_id);
void record_withdrawal(pqxx::work& tx, const std::string& stream_id, const std::string& amount,
                       const std::string& new_withdrawn);
void record_cancellation(pqxx::work& tx, const std::string& stream_id,
                         const std::string& to_receiver, const std::string& to_sender);

}  // namespace pulse::lifecycle::db
