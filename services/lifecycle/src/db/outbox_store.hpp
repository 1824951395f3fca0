#pragma once
// The transactional outbox table. Rows are appended by the command functions of migration 2,
// inside the command's transaction; here: mark them published after the bus send, read back
// unpublished rows (relay) or rows after a seq (gateway replay).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

namespace pulse::lifecycle::db {

struct OutboxRow {
    std::int64_t seq = 0;
    std::string event;
    std::vector<std::string> rooms;
    nlohmann::ordered_json data;
};

// Defines mark_published as a prepared statement of `conn` (parsed and planned once per
// connection); called on every new connection that runs it.
void prepare_outbox_statements(pqxx::connection& conn);

std::string read_epoch(pqxx::connection& conn);

void mark_published(pqxx::connection& conn, const std::vector<std::int64_t>& seqs);

// Unpublished rows created at least `min_age` ago, oldest first.
std::vector<OutboxRow> read_unpublished(pqxx::connection& conn, std::chrono::milliseconds min_age,
                                        std::size_t limit);
// Rows with seq > after_seq in seq order (published or not: they are all committed).
std::vector<OutboxRow> read_after(pqxx::connection& conn, std::int64_t after_seq,
                                  std::size_t limit);
std::int64_t read_last_seq(pqxx::connection& conn);

}  // namespace pulse::lifecycle::db
