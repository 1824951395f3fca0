#pragma once
// Checks shared by the multi-instance and crash tests: what the bus carried against what the
// database committed and what the callers were told.
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/fixture.hpp"

namespace pulse::test {

// Drains the bus until `last_seq` was seen (or the deadline): every envelope, in arrival order.
inline std::vector<envelope::Envelope> drain_bus(BusSubscriber& bus, std::int64_t last_seq,
                                                 std::chrono::milliseconds deadline) {
    std::vector<envelope::Envelope> out;
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::int64_t highest = 0;
    while (highest < last_seq && std::chrono::steady_clock::now() < until) {
        auto m = bus.receive(std::chrono::milliseconds(200));
        if (!m) continue;
        auto decoded = envelope::decode(m->envelope);
        REQUIRE(decoded);
        // The lifecycle writes the form gateways read in one pass, data kept as text
        // (envelope::decode_canonical), whether sent at commit or read back from the outbox.
        REQUIRE(envelope::decode_canonical(m->envelope));
        highest = std::max(highest, decoded.envelope->seq);
        out.push_back(*decoded.envelope);
    }
    return out;
}

// Seqs of the outbox, ascending, with each row's data as text (json_build_object's text).
inline std::map<std::int64_t, std::string> outbox_rows(TestDatabase& db) {
    std::map<std::int64_t, std::string> rows;
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    for (const auto& r : tx.exec("SELECT seq, data::text FROM pulse_outbox ORDER BY seq"))
        rows[r[0].as<std::int64_t>()] = r[1].as<std::string>();
    return rows;
}

// The outbox holds exactly seqs 1..N, no hole.
inline void check_outbox_gap_free(const std::map<std::int64_t, std::string>& rows) {
    std::int64_t expected = 1;
    for (const auto& [seq, data] : rows) {
        INFO("outbox seq " << seq);
        REQUIRE(seq == expected);
        ++expected;
    }
}

// The last seq the elected publisher saved as sent (pulse_publish_cursor).
inline std::int64_t publish_cursor(TestDatabase& db) {
    return db.count("SELECT last_seq FROM pulse_publish_cursor");
}

// Every published envelope is a committed row with the same data (nothing uncommitted went
// out), and the bus carried 1..N in order once duplicates are dropped (what a gateway keeps).
// `lost_in_flight_up_to`: after a kill -9 of the publisher, the seqs up to the cursor it had
// saved were handed to its ZeroMQ socket, which may die with them still queued; its successor
// resends only what follows that cursor, and gateways repair such a gap from the outbox. So a
// skip is allowed only over seqs at or below that cursor.
inline void check_bus_against_outbox(const std::vector<envelope::Envelope>& published,
                                     const std::map<std::int64_t, std::string>& rows,
                                     bool allow_duplicates, std::int64_t lost_in_flight_up_to = 0) {
    std::int64_t last = 0;
    std::size_t duplicates = 0;
    for (const auto& e : published) {
        INFO("published seq " << e.seq);
        auto row = rows.find(e.seq);
        REQUIRE(row != rows.end());
        CHECK(nlohmann::json::parse(row->second) == nlohmann::json::parse(e.data.dump()));
        if (e.seq <= last) {
            ++duplicates;
            continue;
        }
        if (e.seq != last + 1) {
            INFO("skipped " << last + 1 << ".." << e.seq - 1 << ", cursor at the kill "
                            << lost_in_flight_up_to);
            REQUIRE(e.seq > last + 1);                   // never out of order
            REQUIRE(e.seq - 1 <= lost_in_flight_up_to);  // a gap only of what died in flight
        }
        last = e.seq;
    }
    CHECK(last == (rows.empty() ? 0 : rows.rbegin()->first));
    if (!allow_duplicates) CHECK(duplicates == 0);
}

}  // namespace pulse::test
