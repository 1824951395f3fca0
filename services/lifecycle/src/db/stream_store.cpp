#include <pqxx/pqxx>

#include "db/stream_store.hpp"

namespace pulse::lifecycle::db {
namespace {

constexpr const char* kInsertStream =
    "INSERT INTO streams (stream_id, sender, receiver, amount) VALUES ($1, $2, $3, $4::numeric) "
    "ON CONFLICT (stream_id) DO NOTHING RETURNING 1";
constexpr const char* kLockStream =
    "SELECT sender, receiver, amount::text, withdrawn::text, status FROM streams "
    "WHERE stream_id = $1 FOR UPDATE";
constexpr const char* kReadStream =
    "SELECT sender, receiver, amount::text, withdrawn::text, status FROM streams "
    "WHERE stream_id = $1";
constexpr const char* kInsertWithdrawal =
    "INSERT INTO withdrawals (stream_id, amount) VALUES ($1, $2::numeric)";
constexpr const char* kSetWithdrawn =
    "UPDATE streams SET withdrawn = $2::numeric WHERE stream_id = $1";
constexpr const char* kInsertCancellation =
    "INSERT INTO cancellations (stream_id, to_receiver, to_sender) "
    "VALUES ($1, $2::numeric, $3::numeric)";
constexpr const char* kMarkCanceled =
    "UPDATE streams SET status = 'CANCELED', closed_at = now() WHERE stream_id = $1";

std::optional<StreamRow> to_stream(const pqxx::result& r) {
    if (r.empty()) return std::nullopt;
    return StreamRow{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                     r[0][2].as<std::string>(), r[0][3].as<std::string>(),
                     r[0][4].as<std::string>()};
}

}  // namespace

bool insert_stream_if_absent(pqxx::work& tx, const std::string& stream_id,
                             const std::string& sender, const std::string& receiver,
                             const std::string& amount) {
    return !tx.exec_params(kInsertStream, stream_id, sender, receiver, amount).empty();
}

std::optional<StreamRow> lock_stream(pqxx::work& tx, const std::string& stream_id) {
    return to_stream(tx.exec_params(kLockStream, stream_id));
}

std::optional<StreamRow> read_stream(pqxx::work& tx, const std::string& stream_id) {
    return to_stream(tx.exec_params(kReadStream, stream_id));
}

void record_withdrawal(pqxx::work& tx, const std::string& stream_id, const std::string& amount,
                       const std::string& new_withdrawn) {
    tx.exec_params(kInsertWithdrawal, stream_id, amount);
    tx.exec_params(kSetWithdrawn, stream_id, new_withdrawn);
}

void record_cancellation(pqxx::work& tx, const std::string& stream_id,
                         const std::string& to_receiver, const std::string& to_sender) {
    tx.exec_params(kInsertCancellation, stream_id, to_receiver, to_sender);
    tx.exec_params(kMarkCanceled, stream_id);
}

}  // namespace pulse::lifecycle::db
