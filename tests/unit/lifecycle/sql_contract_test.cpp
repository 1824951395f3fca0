// The SQL the lifecycle ships and the names it reads back: every migration is compiled in from
// services/lifecycle/sql/ in version order, and the outcome enum maps both ways.
#include <catch2/catch.hpp>

#include <algorithm>

#include "db/command_batch.hpp"
#include "db/embedded_sql.hpp"
#include "db/migrations.hpp"

using namespace pulse::lifecycle;

TEST_CASE("migrations come from the embedded sql/ files, in version order", "[sql]") {
    const auto& all = db::migrations();
    REQUIRE(all.size() == db::embedded_sql().size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        INFO(all[i].name);
        CHECK(all[i].version == static_cast<int>(i) + 1);
        CHECK(all[i].sql == db::embedded_sql()[i].text);
        CHECK_FALSE(all[i].sql.empty());
    }
    // The batch call the writer prepares is defined by a migration (later ones may only
    // change the checks it relies on).
    const bool defined = std::any_of(all.begin(), all.end(), [](const auto& m) {
        return m.sql.find("FUNCTION pulse_apply_commands(p_commands jsonb)") !=
               std::string_view::npos;
    });
    CHECK(defined);
    // The statement for a batch of creates is compiled in from sql/statements/.
    const auto creates = db::create_streams_sql();
    CHECK(creates.find("INSERT INTO streams") != std::string::npos);
    CHECK(creates.find("$1::jsonb") != std::string::npos);
    CHECK(creates.find("$2::boolean") != std::string::npos);
}

TEST_CASE("command outcomes map to and from pulse_outcome", "[sql]") {
    using db::Outcome;
    for (auto o : {Outcome::created, Outcome::unchanged, Outcome::done, Outcome::not_found,
                   Outcome::conflict})
        CHECK(db::outcome_from_sql(db::to_sql(o)) == o);
    CHECK(std::string(db::to_sql(Outcome::not_found)) == "not_found");
    CHECK_THROWS_AS(db::outcome_from_sql("created "), std::runtime_error);
    CHECK_THROWS_AS(db::outcome_from_sql(""), std::runtime_error);
}
