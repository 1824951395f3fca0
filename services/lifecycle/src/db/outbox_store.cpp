#include <pqxx/pqxx>

#include "db/outbox_store.hpp"

#include <stdexcept>

namespace pulse::lifecycle::db {
namespace {

constexpr const char* kReadEpoch = "SELECT value FROM pulse_meta WHERE key = 'epoch'";
constexpr const char* kMarkPublishedName = "mark_published";
constexpr const char* kMarkPublished =
    "UPDATE pulse_outbox SET published_at = now() "
    "WHERE seq = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)::bigint)) "
    "AND published_at IS NULL";
constexpr const char* kReadUnpublished =
    "SELECT seq, event, array_to_json(rooms)::text, data::text FROM pulse_outbox "
    "WHERE published_at IS NULL AND created_at <= now() - make_interval(secs => $1::float8 / 1000) "
    "ORDER BY seq LIMIT $2";
constexpr const char* kReadAfter =
    "SELECT seq, event, array_to_json(rooms)::text, data::text FROM pulse_outbox "
    "WHERE seq > $1 ORDER BY seq LIMIT $2";
constexpr const char* kReadLastSeq = "SELECT last_seq FROM pulse_outbox_counter";

std::vector<OutboxRow> to_rows(const pqxx::result& result) {
    std::vector<OutboxRow> rows;
    rows.reserve(result.size());
    for (const auto& r : result) {
        OutboxRow row;
        row.seq = r[0].as<std::int64_t>();
        row.event = r[1].as<std::string>();
        row.rooms = nlohmann::json::parse(r[2].as<std::string>()).get<std::vector<std::string>>();
        row.data = nlohmann::ordered_json::parse(r[3].as<std::string>());
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace

void prepare_outbox_statements(pqxx::connection& conn) {
    conn.prepare(kMarkPublishedName, kMarkPublished);
}

std::string read_epoch(pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    auto r = tx.exec(kReadEpoch);
    if (r.empty()) throw std::runtime_error("pulse_meta has no epoch row");
    return r[0][0].as<std::string>();
}

void mark_published(pqxx::connection& conn, const std::vector<std::int64_t>& seqs) {
    if (seqs.empty()) return;
    // One statement in autocommit: atomic on its own, one round trip instead of BEGIN, UPDATE,
    // COMMIT.
    pqxx::nontransaction tx(conn);
    tx.exec_prepared(kMarkPublishedName, nlohmann::json(seqs).dump());
}

std::vector<OutboxRow> read_unpublished(pqxx::connection& conn, std::chrono::milliseconds min_age,
                                        std::size_t limit) {
    pqxx::read_transaction tx(conn);
    return to_rows(tx.exec_params(kReadUnpublished, static_cast<double>(min_age.count()),
                                  static_cast<std::int64_t>(limit)));
}

std::vector<OutboxRow> read_after(pqxx::connection& conn, std::int64_t after_seq,
                                  std::size_t limit) {
    pqxx::read_transaction tx(conn);
    return to_rows(tx.exec_params(kReadAfter, after_seq, static_cast<std::int64_t>(limit)));
}

std::int64_t read_last_seq(pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return tx.exec(kReadLastSeq)[0][0].as<std::int64_t>();
}

}  // namespace pulse::lifecycle::db
