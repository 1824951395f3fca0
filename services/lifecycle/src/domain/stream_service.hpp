#pragma once
// The stream rules (docs/write-path.md): each command is queued to the group-commit writer
// (outbox/command_writer), which applies it in its batch's single statement and commit; the
// result is interpreted here into the reply and the event. Replies come back through `Done`,
// on the writer's thread (or at once, when the queue is full).
// Client mistakes arrive as ClientError (nothing was written or published), a full queue as
// Overloaded (503 + Retry-After), infrastructure failures as other exceptions.
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "domain/events.hpp"
#include "domain/requests.hpp"
#include "outbox/command_writer.hpp"

namespace pulse::lifecycle {

// The writer's queue is full: come back later.
struct Overloaded : std::runtime_error {
    Overloaded() : std::runtime_error("too many commands in flight; retry shortly") {}
};

class StreamService {
  public:
    // body: the JSON text of the success body
    //   {"success":true,"message":...,"event":...,"seq":...,"data":{}}
    using Done = std::function<void(std::optional<std::string> body, std::exception_ptr error)>;

    explicit StreamService(outbox::CommandWriter& writer) : writer_(writer) {}

    void create_stream(const CreateStream& command, Done done);
    void register_withdrawal(const RegisterWithdrawal& command, Done done);
    void cancel_stream(const CancelStream& command, Done done);

    std::uint64_t events_committed() const { return committed_.load(); }

    // What a command came to (exposed for unit tests of the interpretation).
    struct Outcome {
        std::string message;
        std::optional<EventToPublish> event;  // empty: nothing changed (idempotent re-post)
        nlohmann::ordered_json data;          // body "data" when there is no event
        bool created = false;
    };

  private:
    using Interpret = std::function<Outcome(const db::CommandResult&)>;
    // command: the JSON object text of one element of the batch (db/command_batch.hpp);
    // create: its op is "create" (outbox::PendingCommand::create).
    void submit(std::string command, Interpret interpret, Done done, bool create = false);

    outbox::CommandWriter& writer_;
    std::atomic<std::uint64_t> committed_{0};
};

}  // namespace pulse::lifecycle
