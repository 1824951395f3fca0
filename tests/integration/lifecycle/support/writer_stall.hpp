#pragma once
// Stalls a lifecycle's writer, so that commands sent meanwhile queue up in it: holds the outbox
// counter row from another session, sends one command (its batch then blocks on that row lock)
// and waits until PostgreSQL shows the wait. release() lets the writer go on: the stalled batch
// commits, then whatever queued behind it leaves as the next batch.
#include <memory>
#include <pqxx/pqxx>
#include <thread>

#include "support/fixture.hpp"

namespace pulse::test {

class WriterStall {
  public:
    WriterStall(Lifecycle& lc, nlohmann::json first_command) : conn_(lc.db.url()) {
        tx_ = std::make_unique<pqxx::work>(conn_);
        tx_->exec("SELECT * FROM pulse_outbox_counter FOR UPDATE");
        caller_ = std::thread([this, port = lc.port(), body = std::move(first_command)] {
            try {
                first_ = post_json(port, "/api/test/test-stream", body);
            } catch (const std::exception&) {
                first_.status = -1;  // connection failed: the test's checks say so
            }
        });
        for (int i = 0; i < 200 && !waiting(lc); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        REQUIRE(waiting(lc));
    }
    ~WriterStall() { release(); }
    WriterStall(const WriterStall&) = delete;
    WriterStall& operator=(const WriterStall&) = delete;

    // Lets the writer go on and waits for the stalled command's answer.
    void release() {
        if (tx_) {
            tx_->commit();
            tx_.reset();
        }
        if (caller_.joinable()) caller_.join();
    }
    // The stalled command's answer (after release()).
    const HttpReply& first() const { return first_; }

  private:
    static bool waiting(Lifecycle& lc) {
        return lc.db.count("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0;
    }

    pqxx::connection conn_;
    std::unique_ptr<pqxx::work> tx_;
    HttpReply first_;
    std::thread caller_;
};

}  // namespace pulse::test
