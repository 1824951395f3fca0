#pragma once
// DATABASE_URL checks before any connection attempt, so that a typo gives "bad DATABASE_URL"
// rather than a confusing network error, and so that errors can say which server was meant.
#include <stdexcept>
#include <string>

namespace pulse::lifecycle::db {

struct DatabaseTarget {
    std::string conninfo;  // keyword=value form handed to libpq (connect_timeout added if absent)
    std::string where;     // "host:port" (or the socket directory) for error messages
};

struct BadDatabaseUrl : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws BadDatabaseUrl with libpq's reason when the URL/conninfo cannot be parsed.
DatabaseTarget parse_database_url(const std::string& url);

}  // namespace pulse::lifecycle::db
