#pragma once
// The transactional outbox table (rows appended by pulse_apply_commands inside the batch's
// transaction) and the publish cursor (the last seq the elected publisher sent).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>

namespace pulse::lifecycle::db {

struct OutboxRow {
    std::int64_t seq = 0;
    std::string event;
    std::vector<std::string> rooms;
    std::string data;  // the payload as compact JSON object text, in its writer's key order
};

std::string read_epoch(pqxx::connection_base& conn);

// Rows with seq > after_seq in seq order (all committed: seqs become visible in order).
std::vector<OutboxRow> read_after(pqxx::connection_base& conn, std::int64_t after_seq,
                                  std::size_t limit);
std::int64_t read_last_seq(pqxx::connection_base& conn);

std::int64_t read_publish_cursor(pqxx::connection_base& conn);
// Moves the cursor forward to `seq` (never back), autocommit.
void save_publish_cursor(pqxx::connection_base& conn, std::int64_t seq);

}  // namespace pulse::lifecycle::db
