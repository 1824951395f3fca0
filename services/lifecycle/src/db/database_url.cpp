#include "db/database_url.hpp"

#include <libpq-fe.h>

#include <memory>

namespace pulse::lifecycle::db {
namespace {
std::string quote(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}
}  // namespace

DatabaseTarget parse_database_url(const std::string& url) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (!opts) {
        std::string why = err ? err : "unparseable connection string";
        if (err) PQfreemem(err);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        throw BadDatabaseUrl(why);
    }
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> guard(opts, &PQconninfoFree);
    DatabaseTarget t;
    std::string host = "localhost", port = "5432", hostaddr;
    bool has_timeout = false;
    for (auto* o = opts; o->keyword; ++o) {
        if (!o->val) continue;
        std::string key = o->keyword, val = o->val;
        if (key == "host" && !val.empty()) host = val;
        if (key == "hostaddr" && !val.empty()) hostaddr = val;
        if (key == "port" && !val.empty()) port = val;
        if (key == "connect_timeout") has_timeout = true;
        if (!t.conninfo.empty()) t.conninfo.push_back(' ');
        t.conninfo += key + "=" + quote(val);
    }
    // Without a timeout libpq can wait for minutes on an unroutable host; start-up must fail fast.
    if (!has_timeout)
        t.conninfo += (t.conninfo.empty() ? "" : " ") + std::string("connect_timeout=5");
    t.where = (hostaddr.empty() ? host : hostaddr) + ":" + port;
    return t;
}

}  // namespace pulse::lifecycle::db
