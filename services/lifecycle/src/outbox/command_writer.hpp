#pragma once
// CommandWriter: the group-commit writer of one instance (docs/write-path.md). Request threads
// queue commands (bounded: past `max_pending` submit() refuses and the caller answers 503); one
// writer thread takes whatever is queued (up to `max_batch`) and applies it with ONE statement
// on its own connection (db::apply_commands: one round trip, one transaction, one commit). Each
// command then learns its own result; the batch's events go to the ElectedPublisher.
//  - A batch of creates only is first tried as one plain statement (db::create_streams); when
//    an id is taken or repeated that statement writes nothing, and the batch runs through
//    db::apply_commands instead (counted: create_fallbacks()).
//  - Deadlock / serialization failure: the statement rolled back as a whole, run it again.
//  - Any other SQL error: nothing of the batch committed; its commands run again one by one, so
//    only the culprit fails.
//  - Broken connection: the batch may or may not have committed; every command of it fails
//    (503), and if it did commit the elected publisher still sends its events.
// Failpoints (PULSE_FAILPOINT, tests only, pulse/failpoint.hpp):
//  - before-commit: the batch runs inside BEGIN … and the process dies before COMMIT.
//  - after-commit-before-publish: the batch committed, the process dies before any command is
//    answered or any event sent.
//  - answer-lost-after-commit: the batch committed, then the writer acts as if its connection
//    broke before the answer came (the process lives on): its commands fail with 503 and the
//    publisher must still send the batch's events, by reading them back.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/command_batch.hpp"
#include "db/outbox_store.hpp"
#include "outbox/elected_publisher.hpp"

namespace pulse::lifecycle::outbox {

struct WriterOptions {
    std::size_t max_pending = 4096;  // PULSE_MAX_PENDING
    std::size_t max_batch = 512;     // PULSE_MAX_BATCH
};

struct PendingCommand {
    std::string command;  // JSON object text: {"op": "create" | "withdraw" | "cancel", ...}
    bool create = false;  // op is "create": a batch of creates only takes db::create_streams
    // Called once, on the writer thread: with the result after the batch committed (returns the
    // event to publish, if the command wrote one), or with the error that kept it from
    // committing (result is null then, the return value ignored).
    std::function<std::optional<db::OutboxRow>(const db::CommandResult* result,
                                               std::exception_ptr error)>
        done;
};

class CommandWriter {
  public:
    CommandWriter(std::string conninfo, ElectedPublisher& publisher, WriterOptions options);
    ~CommandWriter();
    CommandWriter(const CommandWriter&) = delete;
    CommandWriter& operator=(const CommandWriter&) = delete;

    void start();
    // Applies what is queued, then ends the thread.
    void stop();
    // false (and `command` untouched) when the queue is full or the writer stopped.
    bool submit(PendingCommand&& command);

    std::uint64_t batches() const { return batches_.load(); }
    std::uint64_t commands() const { return commands_.load(); }
    std::uint64_t rejected() const { return rejected_.load(); }
    // Batches of creates that met a taken or repeated id and went through apply_commands.
    std::uint64_t create_fallbacks() const { return create_fallbacks_.load(); }
    std::size_t pending() const;

    struct Connection;

  private:
    void loop();
    void run(std::vector<PendingCommand>& batch);
    std::vector<db::CommandResult> apply(const std::vector<PendingCommand>& batch);
    static void fail_all(std::vector<PendingCommand>& batch, std::exception_ptr error);

    std::string conninfo_;
    ElectedPublisher& publisher_;
    WriterOptions options_;
    std::unique_ptr<Connection> conn_;  // writer thread only

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<PendingCommand> queue_;
    bool stopping_ = false;
    std::thread thread_;
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> commands_{0};
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<std::uint64_t> create_fallbacks_{0};
};

}  // namespace pulse::lifecycle::outbox
