#include <catch2/catch.hpp>

#include "db/database_url.hpp"

using namespace pulse::lifecycle::db;

TEST_CASE("DATABASE_URL: URL and keyword forms, with a default connect timeout", "[database_url]") {
    auto t = parse_database_url("postgresql://pulse@127.0.0.1:5999/pulse");
    CHECK(t.where == "127.0.0.1:5999");
    CHECK_THAT(t.conninfo, Catch::Contains("connect_timeout=5"));
    CHECK_THAT(t.conninfo, Catch::Contains("dbname='pulse'"));

    auto k = parse_database_url("host=db.internal port=6543 dbname=x connect_timeout=2");
    CHECK(k.where == "db.internal:6543");
    CHECK_THAT(k.conninfo, Catch::Contains("connect_timeout='2'"));
    CHECK_THAT(k.conninfo, !Catch::Contains("connect_timeout=5"));

    CHECK(parse_database_url("postgresql:///pulse").where == "localhost:5432");
}

TEST_CASE("DATABASE_URL: malformed values are refused before connecting", "[database_url]") {
    CHECK_THROWS_AS(parse_database_url("notaurl"), BadDatabaseUrl);
    CHECK_THROWS_AS(parse_database_url("postgresql://h/db?bogus=1"), BadDatabaseUrl);
    CHECK_THROWS_AS(parse_database_url("host='unterminated"), BadDatabaseUrl);
}
