#include <pqxx/pqxx>

#include "db/stream_store.hpp"

#include <stdexcept>
#include <string_view>

namespace pulse::lifecycle::db {
namespace {

struct Statement {
    const char* name;
    const char* sql;
};

constexpr Statement kCreateStream{"create_stream",
                                  "SELECT * FROM pulse_create_stream($1, $2, $3, $4, $5)"};
constexpr Statement kRegisterWithdrawal{"register_withdrawal",
                                        "SELECT * FROM pulse_register_withdrawal($1, $2, $3)"};
constexpr Statement kCancelStream{"cancel_stream",
                                  "SELECT * FROM pulse_cancel_stream($1, $2, $3, $4)"};

constexpr Statement kStatements[] = {kCreateStream, kRegisterWithdrawal, kCancelStream};

CommandResult::Outcome to_outcome(const pqxx::field& f) {
    const std::string_view text(f.c_str(), f.size());
    using O = CommandResult::Outcome;
    if (text == "created") return O::created;
    if (text == "unchanged") return O::unchanged;
    if (text == "done") return O::done;
    if (text == "not_found") return O::not_found;
    if (text == "conflict") return O::conflict;
    throw std::runtime_error("unknown command outcome from the database: " + std::string(text));
}

std::string text_or_empty(const pqxx::field& f) {
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
}

CommandResult to_result(const pqxx::result& r) {
    if (r.size() != 1 || r.columns() != 8)
        throw std::runtime_error("unexpected command result shape from the database");
    const auto row = r[0];
    CommandResult out;
    out.outcome = to_outcome(row[0]);
    out.field = text_or_empty(row[1]);
    out.seq = row[2].is_null() ? 0 : row[2].as<std::int64_t>();
    out.sender = text_or_empty(row[3]);
    out.receiver = text_or_empty(row[4]);
    out.amount = text_or_empty(row[5]);
    out.withdrawn = text_or_empty(row[6]);
    out.status = text_or_empty(row[7]);
    return out;
}

}  // namespace

void prepare_stream_statements(pqxx::connection& conn) {
    for (const auto& s : kStatements) conn.prepare(s.name, s.sql);
}

CommandResult create_stream(pqxx::nontransaction& tx, const std::string& stream_id,
                            const std::string& sender, const std::string& receiver,
                            const std::string& amount, const std::string& timestamp) {
    return to_result(
        tx.exec_prepared(kCreateStream.name, stream_id, sender, receiver, amount, timestamp));
}

CommandResult register_withdrawal(pqxx::nontransaction& tx, const std::string& stream_id,
                                  const std::string& amount, const std::string& timestamp) {
    return to_result(tx.exec_prepared(kRegisterWithdrawal.name, stream_id, amount, timestamp));
}

CommandResult cancel_stream(pqxx::nontransaction& tx, const std::string& stream_id,
                            const std::string& to_receiver, const std::string& to_sender,
                            const std::string& timestamp) {
    return to_result(
        tx.exec_prepared(kCancelStream.name, stream_id, to_receiver, to_sender, timestamp));
}

}  // namespace pulse::lifecycle::db
