#include <pqxx/pqxx>

#include "db/outbox_store.hpp"

#include <stdexcept>

namespace pulse::lifecycle::db {
namespace {

constexpr const char* kReadEpoch = "SELECT value FROM pulse_meta WHERE key = 'epoch'";
constexpr const char* kReadAfter =
    "SELECT seq, event, array_to_json(rooms)::text AS rooms, data::text AS data "
    "FROM pulse_outbox WHERE seq > $1 ORDER BY seq LIMIT $2";
constexpr const char* kReadLastSeq = "SELECT last_seq FROM pulse_outbox_counter";
constexpr const char* kReadCursor = "SELECT last_seq FROM pulse_publish_cursor";
constexpr const char* kSaveCursor =
    "UPDATE pulse_publish_cursor SET last_seq = $1 WHERE last_seq < $1";

std::vector<OutboxRow> to_rows(const pqxx::result& result) {
    std::vector<OutboxRow> rows;
    rows.reserve(result.size());
    for (const auto& r : result) {
        OutboxRow row;
        row.seq = r["seq"].as<std::int64_t>();
        row.event = r["event"].as<std::string>();
        row.rooms =
            nlohmann::json::parse(r["rooms"].as<std::string>()).get<std::vector<std::string>>();
        // The column keeps json_build_object's text, keys in the live event's order with a
        // space around ':' and after ','; the bus carries compact JSON. (Rows written before
        // schema 9 were jsonb and come back in its key order.)
        row.data = nlohmann::ordered_json::parse(r["data"].as<std::string>()).dump();
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace

std::string read_epoch(pqxx::connection_base& conn) {
    pqxx::read_transaction tx(conn);
    auto r = tx.exec(kReadEpoch);
    if (r.empty()) throw std::runtime_error("pulse_meta has no epoch row");
    return r[0][0].as<std::string>();
}

std::vector<OutboxRow> read_after(pqxx::connection_base& conn, std::int64_t after_seq,
                                  std::size_t limit) {
    pqxx::nontransaction tx(conn);
    return to_rows(tx.exec_params(kReadAfter, after_seq, static_cast<std::int64_t>(limit)));
}

std::int64_t read_last_seq(pqxx::connection_base& conn) {
    pqxx::nontransaction tx(conn);
    return tx.exec(kReadLastSeq)[0][0].as<std::int64_t>();
}

std::int64_t read_publish_cursor(pqxx::connection_base& conn) {
    pqxx::nontransaction tx(conn);
    return tx.exec(kReadCursor)[0][0].as<std::int64_t>();
}

void save_publish_cursor(pqxx::connection_base& conn, std::int64_t seq) {
    pqxx::nontransaction tx(conn);
    tx.exec_params(kSaveCursor, seq);
}

}  // namespace pulse::lifecycle::db
