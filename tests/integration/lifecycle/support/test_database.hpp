#pragma once
// A fresh database (random name) on the server DATABASE_URL points at, dropped afterwards, so
// every test starts from an empty schema and tests cannot see each other's rows.
#include <cstdint>
#include <string>

#include <pqxx/pqxx>

namespace pulse::test {

class TestDatabase {
  public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    // libpq keyword=value connection string of the fresh database (what DATABASE_URL gets).
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }
    // One query, one value (as text); empty string for NULL.
    std::string scalar(const std::string& sql);
    std::int64_t count(const std::string& sql) { return std::stoll(scalar(sql)); }
    void exec(const std::string& sql);
    // Runs on the server's original database (DATABASE_URL), e.g. to cut this one off.
    void admin_exec(const std::string& sql);

  private:
    std::string admin_;
    std::string name_;
    std::string url_;
};

}  // namespace pulse::test
