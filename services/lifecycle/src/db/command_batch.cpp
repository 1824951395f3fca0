#include <pqxx/pqxx>

#include "db/command_batch.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

#include "db/embedded_sql.hpp"

namespace pulse::lifecycle::db {
namespace {

constexpr const char* kApplyName = "apply_commands";
constexpr const char* kApply = "SELECT * FROM pulse_apply_commands($1::jsonb, $2::boolean)";

// The plain statement for a batch of creates: sql/statements/create_streams.sql (compiled in;
// the file says what it does and why).
constexpr const char* kCreateAllName = "create_streams";
constexpr std::string_view kCreateAllFile = "create_streams.sql";

// pulse_apply_commands' result columns, in order.
constexpr std::array<std::string_view, 9> kColumns = {
    "idx", "outcome", "field", "seq", "sender", "receiver", "amount", "withdrawn", "status"};
enum Column : pqxx::row::size_type {
    kIdx,
    kOutcome,
    kField,
    kSeq,
    kSender,
    kReceiver,
    kAmount,
    kWithdrawn,
    kStatus
};

struct OutcomeName {
    Outcome outcome;
    std::string_view sql;
};
constexpr OutcomeName kOutcomes[] = {{Outcome::created, "created"},
                                     {Outcome::unchanged, "unchanged"},
                                     {Outcome::done, "done"},
                                     {Outcome::not_found, "not_found"},
                                     {Outcome::conflict, "conflict"}};

std::string text_or_empty(const pqxx::field& f) {
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
}

}  // namespace

Outcome outcome_from_sql(std::string_view text) {
    for (const auto& o : kOutcomes)
        if (o.sql == text) return o.outcome;
    throw std::runtime_error("unknown command outcome from the database: " + std::string(text));
}

const char* to_sql(Outcome outcome) {
    for (const auto& o : kOutcomes)
        if (o.outcome == outcome) return o.sql.data();
    return "?";
}

void prepare_command_statements(pqxx::connection_base& conn) {
    conn.prepare(kApplyName, kApply);
    conn.prepare(kCreateAllName, create_streams_sql());
}

namespace {

std::vector<CommandResult> read_results(const pqxx::result& r, std::size_t count) {
    if (r.size() != count)
        throw std::runtime_error("the batch returned " + std::to_string(r.size()) +
                                 " results for " + std::to_string(count) + " commands");
    // Columns by position (a lookup by name costs libpq a copy and a case-folded search per
    // field), checked once per result against the names the function declares.
    if (r.columns() != kColumns.size())
        throw std::runtime_error("the batch returned " + std::to_string(r.columns()) +
                                 " columns, expected " + std::to_string(kColumns.size()));
    for (std::size_t i = 0; i < kColumns.size(); ++i)
        if (std::string_view(r.column_name(static_cast<pqxx::row::size_type>(i))) != kColumns[i])
            throw std::runtime_error(
                "the batch returned column " +
                std::string(r.column_name(static_cast<pqxx::row::size_type>(i))) + " where " +
                std::string(kColumns[i]) + " was expected");
    std::vector<CommandResult> out;
    out.reserve(count);
    for (const auto& row : r) {
        if (row[kIdx].as<std::size_t>() != out.size())
            throw std::runtime_error("the batch returned its results out of order");
        CommandResult c;
        const auto outcome = row[kOutcome];
        c.outcome = outcome_from_sql(std::string_view(outcome.c_str(), outcome.size()));
        c.field = text_or_empty(row[kField]);
        c.seq = row[kSeq].is_null() ? 0 : row[kSeq].as<std::int64_t>();
        c.sender = text_or_empty(row[kSender]);
        c.receiver = text_or_empty(row[kReceiver]);
        c.amount = text_or_empty(row[kAmount]);
        c.withdrawn = text_or_empty(row[kWithdrawn]);
        c.status = text_or_empty(row[kStatus]);
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

std::vector<CommandResult> apply_commands(pqxx::transaction_base& tx,
                                          const std::string& commands_json, std::size_t count,
                                          bool notify) {
    return read_results(tx.exec_prepared(kApplyName, commands_json, notify), count);
}

std::vector<CommandResult> create_streams(pqxx::transaction_base& tx,
                                          const std::string& commands_json, std::size_t count,
                                          bool notify) {
    return read_results(tx.exec_prepared(kCreateAllName, commands_json, notify), count);
}

std::string create_streams_sql() {
    for (const auto& f : embedded_statements())
        if (f.name == kCreateAllFile) return std::string(f.text);
    throw std::logic_error("sql/statements/create_streams.sql is not compiled in");
}

}  // namespace pulse::lifecycle::db
