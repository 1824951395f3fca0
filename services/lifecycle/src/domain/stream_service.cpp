#include "domain/stream_service.hpp"

#include "domain/client_error.hpp"
#include "pulse/amount.hpp"
#include "pulse/clock.hpp"
#include "pulse/json_text.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle {
namespace {

using Result = db::CommandResult;

constexpr const char* kActive = "ACTIVE";
constexpr const char* kCanceled = "CANCELED";

amount::Amount stored_amount(const std::string& text) {
    auto parsed = amount::parse(text);
    // numeric(39,0)::text is canonical and within range by the table's checks
    if (!parsed) throw std::runtime_error("corrupt amount in database: " + text);
    return *parsed.value;
}

// A result the command's function never returns for this command: a bug, not a client error.
[[noreturn]] void unexpected(const char* command, const Result& r) {
    throw std::runtime_error(std::string("unexpected outcome of ") + command +
                             " from the database (field '" + r.field + "')");
}

}  // namespace

void StreamService::submit(std::string command, Interpret interpret, Done done, bool create) {
    outbox::PendingCommand pending;
    pending.command = std::move(command);
    pending.create = create;
    pending.done = [this, interpret = std::move(interpret), done = std::move(done)](
                       const db::CommandResult* result,
                       std::exception_ptr error) -> std::optional<db::OutboxRow> {
        if (!result) {
            done(std::nullopt, error);
            return std::nullopt;
        }
        Outcome outcome;
        try {
            outcome = interpret(*result);  // ClientError: the batch wrote nothing for it
        } catch (...) {
            done(std::nullopt, std::current_exception());
            return std::nullopt;
        }
        json_text::ObjectWriter body(512);
        body.boolean("success", true).string("message", outcome.message);
        if (!outcome.event) {
            body.boolean("created", outcome.created).raw("data", outcome.data.dump());
            done(body.finish(), nullptr);
            return std::nullopt;
        }
        if (result->seq <= 0) {
            done(std::nullopt,
                 std::make_exception_ptr(std::runtime_error("event committed without a seq")));
            return std::nullopt;
        }
        ++committed_;
        db::OutboxRow row;
        row.seq = result->seq;
        row.event = outcome.event->event;
        row.rooms = std::move(outcome.event->rooms);
        row.data = std::move(outcome.event->data);
        if (outcome.created) body.boolean("created", true);
        body.string("event", row.event).integer("seq", row.seq).raw("data", row.data);
        done(body.finish(), nullptr);
        return row;
    };
    // Refused, `pending` is untouched: its callback answers (without a result, so 503).
    if (!writer_.submit(std::move(pending)))
        pending.done(nullptr, std::make_exception_ptr(Overloaded()));
}

void StreamService::create_stream(const CreateStream& c, Done done) {
    const std::string amount_text = amount::format(c.amount);
    const std::string timestamp = now_iso8601();
    submit(
        json_text::ObjectWriter()
            .string("op", "create")
            .string("streamId", c.stream_id)
            .string("sender", c.sender)
            .string("receiver", c.receiver)
            .string("amount", amount_text)
            .string("timestamp", timestamp)
            .finish(),
        [c, amount_text, timestamp](const Result& r) {
            Outcome out;
            switch (r.outcome) {
                case db::Outcome::created:
                    out.message = "stream created";
                    out.created = true;
                    out.event = new_stream_event(
                        {c.stream_id, c.sender, c.receiver, amount_text, kActive}, timestamp);
                    return out;
                case db::Outcome::conflict:
                    if (r.field == "amount")
                        throw ClientError(
                            409,
                            "stream " + c.stream_id + " already exists with a different amount",
                            "amount");
                    throw ClientError(
                        409, "stream " + c.stream_id + " already exists with different parties",
                        r.field);
                case db::Outcome::unchanged:
                    out.message = "stream already exists with the same parties; nothing changed";
                    out.data = {{"streamId", c.stream_id},
                                {"sender", r.sender},
                                {"receiver", r.receiver},
                                {"amount", r.amount},
                                {"status", r.status}};
                    return out;
                default:
                    unexpected("create", r);
            }
        },
        std::move(done), /*create=*/true);
}

void StreamService::register_withdrawal(const RegisterWithdrawal& w, Done done) {
    const std::string timestamp = now_iso8601();
    submit(
        json_text::ObjectWriter()
            .string("op", "withdraw")
            .string("streamId", w.stream_id)
            .string("amount", amount::format(w.amount))
            .string("timestamp", timestamp)
            .finish(),
        [w, timestamp](const Result& r) {
            switch (r.outcome) {
                case db::Outcome::not_found:
                    throw ClientError(404, "unknown stream " + w.stream_id, "streamId");
                case db::Outcome::conflict:
                    if (r.field == "amount")
                        throw ClientError(409,
                                          "withdrawal exceeds the stream total (" + r.amount +
                                              ", already withdrawn " + r.withdrawn + ")",
                                          "amount");
                    throw ClientError(409, "stream " + w.stream_id + " is canceled", "streamId");
                case db::Outcome::done: {
                    Outcome out;
                    out.message = "withdrawal registered";
                    out.event = balance_update_event(r.receiver, r.withdrawn, timestamp);
                    return out;
                }
                default:
                    unexpected("withdraw", r);
            }
        },
        std::move(done));
}

void StreamService::cancel_stream(const CancelStream& c, Done done) {
    const std::string timestamp = now_iso8601();
    submit(
        json_text::ObjectWriter()
            .string("op", "cancel")
            .string("streamId", c.stream_id)
            .string("toReceiver", amount::format(c.to_receiver))
            .string("toSender", amount::format(c.to_sender))
            .string("timestamp", timestamp)
            .finish(),
        [c, timestamp](const Result& r) {
            switch (r.outcome) {
                case db::Outcome::not_found:
                    throw ClientError(404, "unknown stream " + c.stream_id, "streamId");
                case db::Outcome::conflict:
                    if (r.field == "toSender")
                        throw ClientError(409,
                                          "toSender exceeds the stream total (" + r.amount + ")",
                                          "toSender");
                    if (r.field == "toReceiver")
                        throw ClientError(
                            409, "toReceiver + toSender exceed the stream total (" + r.amount + ")",
                            "toReceiver");
                    throw ClientError(409, "stream " + c.stream_id + " is already canceled",
                                      "streamId");
                case db::Outcome::done: {
                    // The batch checked toReceiver + toSender <= total; the event's amount is
                    // total - toSender (sql/004_group_commit.sql says why).
                    const auto total = stored_amount(r.amount);
                    Outcome out;
                    out.message = "stream canceled";
                    out.event = new_stream_event({c.stream_id, r.sender, r.receiver,
                                                  amount::format(total - c.to_sender), kCanceled},
                                                 timestamp);
                    return out;
                }
                default:
                    unexpected("cancel", r);
            }
        },
        std::move(done));
}

}  // namespace pulse::lifecycle
