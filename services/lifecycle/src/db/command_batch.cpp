#include <pqxx/pqxx>

#include "db/command_batch.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace pulse::lifecycle::db {
namespace {

constexpr const char* kApplyName = "apply_commands";
constexpr const char* kApply = "SELECT * FROM pulse_apply_commands($1::jsonb, $2::boolean)";

// A batch of creates of new, distinct ids, as one plain statement: what pulse_apply_commands
// writes and answers for such a batch (sql/008's plain INSERT, then sql/007's seqs, outbox rows
// and result rows), without its PL/pgSQL (the calls, the array of composite steps, the
// subtransaction of the EXCEPTION block, the jsonpath scan of the ops). PostgreSQL's CPU per
// create, against the function on one durable cluster (medians of 3): 46 -> 36 us at 256 per
// batch, 88 -> 58 at 8, 152 -> 116 at 3 (docs/write-path.md).
//  - `inserted` is read by `counter`, so every stream row is in before the counter row is
//    locked: the lock is held for the commit alone, as in the function, and never while this
//    statement waits for another transaction's uncommitted stream id.
//  - A taken or repeated id fails the INSERT (unique_violation) and with it the whole
//    statement: nothing is written, and the caller runs the batch through the function.
//  - The payload is built as sql/009 builds it (json, the live event's key order).
constexpr const char* kCreateAllName = "create_streams";
constexpr const char* kCreateAll = R"SQL(
WITH c AS (
    SELECT x.k, x.id, x.sender, x.receiver, x.amount::numeric AS amount, x.ts
      FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                      AS ("streamId" text, sender text, receiver text, amount text,
                          "timestamp" text))
           WITH ORDINALITY AS x(id, sender, receiver, amount, ts, k)
), inserted AS (
    INSERT INTO streams (stream_id, sender, receiver, amount)
    SELECT c.id, c.sender, c.receiver, c.amount FROM c ORDER BY c.k
    RETURNING 1
), counter AS (
    UPDATE pulse_outbox_counter SET last_seq = last_seq + (SELECT count(*) FROM inserted)
    RETURNING last_seq - (SELECT count(*) FROM c) AS before,
              CASE WHEN $2::boolean THEN pg_notify('pulse_outbox', last_seq::text) END
), s AS (
    SELECT c.*, (SELECT counter.before FROM counter) + c.k AS seq FROM c
), written AS (
    INSERT INTO pulse_outbox (seq, event, rooms, data)
    SELECT s.seq, 'new-stream', pulse_new_stream_rooms(s.sender, s.receiver),
           json_build_object('streamId', s.id, 'sender', s.sender, 'receiver', s.receiver,
                             'amount', s.amount::text, 'status', 'ACTIVE', 'timestamp', s.ts)
      FROM s ORDER BY s.k
)
SELECT (s.k - 1)::integer AS idx, 'created'::pulse_outcome AS outcome, NULL::text AS field,
       s.seq, s.sender, s.receiver, s.amount::text AS amount, '0'::text AS withdrawn,
       'ACTIVE'::text AS status
  FROM s ORDER BY s.k
)SQL";

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
    conn.prepare(kCreateAllName, kCreateAll);
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

const char* create_streams_sql() {
    return kCreateAll;
}

}  // namespace pulse::lifecycle::db
