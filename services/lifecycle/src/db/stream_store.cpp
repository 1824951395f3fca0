#include <pqxx/pqxx>

#include "db/stream_store.hpp"

namespace pulse::lifecycle::db {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

constexpr Statement kInsertStream{
    "insert_stream",
    "INSERT INTO streams (stream_id, sender, receiver, amount) VALUES ($1, $2, $3, $4::numeric) "
    "ON CONFLICT (stream_id) DO NOTHING RETURNING 1"};
constexpr Statement kLockStream{
    "lock_stream",
    "SELECT sender, receiver, amount::text, withdrawn::text, status FROM streams "
    "WHERE stream_id = $1 FOR UPDATE"};
constexpr Statement kReadStream{
    "read_stream",
    "SELECT sender, receiver, amount::text, withdrawn::text, status FROM streams "
    "WHERE stream_id = $1"};
constexpr Statement kInsertWithdrawal{
    "insert_withdrawal", "INSERT INTO withdrawals (stream_id, amount) VALUES ($1, $2::numeric)"};
constexpr Statement kSetWithdrawn{
    "set_withdrawn", "UPDATE streams SET withdrawn = $2::numeric WHERE stream_id = $1"};
constexpr Statement kInsertCancellation{
    "insert_cancellation",
    "INSERT INTO cancellations (stream_id, to_receiver, to_sender) "
    "VALUES ($1, $2::numeric, $3::numeric)"};
constexpr Statement kMarkCanceled{
    "mark_canceled",
    "UPDATE streams SET status = 'CANCELED', closed_at = now() WHERE stream_id = $1"};

constexpr Statement kStatements[] = {kInsertStream,     kLockStream,   kReadStream,
                                     kInsertWithdrawal, kSetWithdrawn, kInsertCancellation,
                                     kMarkCanceled};

std::optional<StreamRow> to_stream(const pqxx::result& r) {
    if (r.empty()) return std::nullopt;
    return StreamRow{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                     r[0][2].as<std::string>(), r[0][3].as<std::string>(),
                     r[0][4].as<std::string>()};
}

}  // namespace

void prepare_stream_statements(pqxx::connection& conn) {
    for (const auto& s : kStatements) conn.prepare(s.name, s.sql);
}

bool insert_stream_if_absent(pqxx::work& tx, const std::string& stream_id,
                             const std::string& sender, const std::string& receiver,
                             const std::string& amount) {
    return !tx.exec_prepared(kInsertStream.name, stream_id, sender, receiver, amount).empty();
}

std::optional<StreamRow> lock_stream(pqxx::work& tx, const std::string& stream_id) {
    return to_stream(tx.exec_prepared(kLockStream.name, stream_id));
}

std::optional<StreamRow> read_stream(pqxx::work& tx, const std::string& stream_id) {
    return to_stream(tx.exec_prepared(kReadStream.name, stream_id));
}

void record_withdrawal(pqxx::work& tx, const std::string& stream_id, const std::string& amount,
                       const std::string& new_withdrawn) {
    tx.exec_prepared(kInsertWithdrawal.name, stream_id, amount);
    tx.exec_prepared(kSetWithdrawn.name, stream_id, new_withdrawn);
}

void record_cancellation(pqxx::work& tx, const std::string& stream_id,
                         const std::string& to_receiver, const std::string& to_sender) {
    tx.exec_prepared(kInsertCancellation.name, stream_id, to_receiver, to_sender);
    tx.exec_prepared(kMarkCanceled.name, stream_id);
}

}  // namespace pulse::lifecycle::db
