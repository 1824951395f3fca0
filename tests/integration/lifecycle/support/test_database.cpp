#include "support/test_database.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace pulse::test {
namespace {

// Rewrites a libpq URL/conninfo with another dbname, in keyword=value form.
std::string with_dbname(const std::string& conninfo, const std::string& dbname) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (!opts) {
        std::string why = err ? err : "?";
        if (err) PQfreemem(err);
        throw std::runtime_error("bad DATABASE_URL: " + why);
    }
    std::string out;
    for (auto* o = opts; o->keyword; ++o) {
        std::string key = o->keyword;
        if (key == "dbname" || !o->val) continue;
        std::string val = o->val;
        std::string quoted = "'";
        for (char c : val) {
            if (c == '\'' || c == '\\') quoted.push_back('\\');
            quoted.push_back(c);
        }
        out += key + "=" + quoted + "' ";
    }
    PQconninfoFree(opts);
    return out + "dbname=" + dbname;
}

}  // namespace

TestDatabase::TestDatabase() {
    const char* url = std::getenv("DATABASE_URL");
    if (!url || !*url)
        throw std::runtime_error(
            "DATABASE_URL is not set: integration tests need a PostgreSQL server");
    admin_ = url;
    std::random_device rd;
    std::mt19937_64 rng(rd());
    name_ = "pulse_it_" + std::to_string(rng() % 1000000000000ULL);
    {
        pqxx::connection admin(admin_);
        pqxx::nontransaction tx(admin);
        tx.exec("CREATE DATABASE " + tx.quote_name(name_));
    }
    url_ = with_dbname(admin_, name_);
}

TestDatabase::~TestDatabase() {
    try {
        pqxx::connection admin(admin_);
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (...) {
        // best effort: a leftover test database is harmless on a throwaway cluster
    }
}

std::string TestDatabase::scalar(const std::string& sql) {
    pqxx::connection conn(url_);
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(sql);
    if (r.empty() || r[0][0].is_null()) return {};
    return r[0][0].as<std::string>();
}

void TestDatabase::exec(const std::string& sql) {
    pqxx::connection conn(url_);
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
}

void TestDatabase::admin_exec(const std::string& sql) {
    pqxx::connection conn(admin_);
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
}

}  // namespace pulse::test
