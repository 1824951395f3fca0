#include <pqxx/pqxx>

#include "outbox/command_writer.hpp"

#include <pqxx/except>

#include <algorithm>

#include "pulse/failpoint.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle::outbox {
namespace {
constexpr int kMaxAttempts = 3;
}

struct CommandWriter::Connection {
    explicit Connection(const std::string& conninfo) : conn(conninfo) {
        db::prepare_command_statements(conn);
    }
    pqxx::connection conn;
};

CommandWriter::CommandWriter(std::string conninfo, ElectedPublisher& publisher,
                             WriterOptions options)
    : conninfo_(std::move(conninfo)), publisher_(publisher), options_(options) {}

CommandWriter::~CommandWriter() {
    stop();
}

void CommandWriter::start() {
    thread_ = std::thread([this] { loop(); });
}

void CommandWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool CommandWriter::submit(PendingCommand&& command) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= options_.max_pending) {
            ++rejected_;
            return false;
        }
        queue_.push_back(std::move(command));
    }
    wake_.notify_one();
    return true;
}

std::size_t CommandWriter::pending() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void CommandWriter::loop() {
    std::vector<PendingCommand> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything queued was applied
            const std::size_t n = std::min(queue_.size(), options_.max_batch);
            batch.clear();
            for (std::size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        run(batch);
    }
}

void CommandWriter::fail_all(std::vector<PendingCommand>& batch, std::exception_ptr error) {
    for (auto& c : batch) c.done(nullptr, error);
}

std::vector<db::CommandResult> CommandWriter::apply(const std::vector<PendingCommand>& batch) {
    std::size_t bytes = 2;
    for (const auto& c : batch) bytes += c.command.size() + 1;
    std::string json;
    json.reserve(bytes);
    json.push_back('[');
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i) json.push_back(',');
        json += batch[i].command;
    }
    json.push_back(']');
    bool plain_creates =
        std::all_of(batch.begin(), batch.end(), [](const PendingCommand& c) { return c.create; });
    const auto run_batch = [&](pqxx::transaction_base& tx, bool notify) {
        return plain_creates ? db::create_streams(tx, json, batch.size(), notify)
                             : db::apply_commands(tx, json, batch.size(), notify);
    };
    for (int attempt = 1;; ++attempt) {
        if (!conn_) {
            conn_ = std::make_unique<Connection>(conninfo_);
            publisher_.writer_session(conn_->conn.backendpid());
        }
        // Our own publisher leads: it gets the rows from run(), and a NOTIFY would only cost
        // PostgreSQL a signal and the publisher a wake-up. Otherwise the leader elsewhere
        // needs it.
        const bool notify = !publisher_.leader();
        try {
            if (failpoint::armed_for("before-commit")) {
                pqxx::work tx(conn_->conn);
                auto results = run_batch(tx, notify);
                failpoint::hit("before-commit");
                tx.commit();
                return results;
            }
            // One statement in autocommit: it commits when it returns.
            pqxx::nontransaction tx(conn_->conn);
            auto results = run_batch(tx, notify);
            if (failpoint::fires("answer-lost-after-commit"))
                throw pqxx::broken_connection("failpoint answer-lost-after-commit");
            return results;
        } catch (const pqxx::broken_connection&) {
            // The batch may have committed: its rows reach the bus by a read-back.
            publisher_.commit_unknown();
            publisher_.writer_session(0);
            conn_.reset();
            throw;
        } catch (const pqxx::unique_violation& e) {
            if (!plain_creates) throw;
            // A taken or repeated id: the plain statement wrote nothing. The function decides
            // each command (unchanged or conflict); not counted as an attempt.
            plain_creates = false;
            ++create_fallbacks_;
            --attempt;
            log::debug("creates batch met a taken id", {{"error", e.what()}});
        } catch (const pqxx::transaction_rollback& e) {
            if (attempt >= kMaxAttempts) throw;
            log::debug("batch retried", {{"attempt", attempt}, {"error", e.what()}});
        }
    }
}

void CommandWriter::run(std::vector<PendingCommand>& batch) {
    std::vector<db::CommandResult> results;
    try {
        results = apply(batch);
    } catch (const pqxx::broken_connection& e) {
        log::warn("database connection lost during a batch",
                  {{"commands", batch.size()}, {"error", e.what()}});
        fail_all(batch, std::current_exception());
        return;
    } catch (const pqxx::sql_error& e) {
        if (batch.size() > 1) {
            // Nothing committed: isolate the command that fails from its neighbours.
            log::warn("batch failed, applying its commands one by one",
                      {{"commands", batch.size()}, {"error", e.what()}});
            for (auto& command : batch) {
                std::vector<PendingCommand> one;
                one.push_back(std::move(command));
                run(one);
            }
            return;
        }
        log::error("command failed in the database", {{"error", e.what()}});
        fail_all(batch, std::current_exception());
        return;
    } catch (const std::exception& e) {
        // Not an SQL error: the statement may have committed (e.g. its answer was unreadable).
        publisher_.commit_unknown();
        log::error("batch failed", {{"commands", batch.size()}, {"error", e.what()}});
        fail_all(batch, std::current_exception());
        return;
    }
    failpoint::hit("after-commit-before-publish");
    ++batches_;
    commands_ += batch.size();
    std::vector<db::OutboxRow> rows;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        std::optional<db::OutboxRow> row;
        try {
            row = batch[i].done(&results[i], nullptr);
        } catch (const std::exception& e) {
            log::error("command result handling failed", {{"error", e.what()}});
        }
        if (row) rows.push_back(std::move(*row));
    }
    publisher_.committed(rows);
}

}  // namespace pulse::lifecycle::outbox
