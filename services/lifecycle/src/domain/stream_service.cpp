#include <pqxx/pqxx>

#include "domain/stream_service.hpp"

#include <pqxx/except>

#include "domain/client_error.hpp"
#include "pulse/amount.hpp"
#include "pulse/clock.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle {
namespace {

using Result = db::CommandResult;

constexpr const char* kActive = "ACTIVE";
constexpr const char* kCanceled = "CANCELED";
constexpr int kMaxAttempts = 3;

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

template <class Call, class Interpret>
nlohmann::ordered_json StreamService::execute(Call&& call, Interpret&& interpret) {
    for (int attempt = 1;; ++attempt) {
        auto lease = pool_.acquire();
        try {
            Outcome outcome;
            db::OutboxRow row;
            bool sent = false;
            {
                // The call commits when it returns, so the order lock spans the whole call and
                // the publish: within this process events leave in seq (= commit) order. Nothing
                // else of this process holds a row lock while waiting for this mutex (every call
                // is its own transaction), so it cannot close a lock cycle.
                std::lock_guard order(sink_.order());
                pqxx::nontransaction tx(lease.get());
                const Result result = call(tx);
                outcome = interpret(result);  // ClientError: nothing was written
                if (outcome.event) {
                    if (result.seq <= 0) throw std::runtime_error("event committed without a seq");
                    ++committed_;
                    row.seq = result.seq;
                    row.event = outcome.event->event;
                    row.rooms = outcome.event->rooms;
                    row.data = outcome.event->data;
                    sent = sink_.publish(row);
                }
            }
            if (sent) marker_.mark(row.seq);
            nlohmann::ordered_json body;
            body["success"] = true;
            body["message"] = outcome.message;
            if (!outcome.event) {
                body["created"] = outcome.created;
                body["data"] = std::move(outcome.data);
                return body;
            }
            if (outcome.created) body["created"] = true;
            body["event"] = outcome.event->event;
            body["seq"] = row.seq;
            body["data"] = std::move(row.data);
            return body;
        } catch (const pqxx::broken_connection&) {
            // Not retried: the call may have committed before the connection broke.
            lease.discard();
            throw;
        } catch (const pqxx::transaction_rollback& e) {
            // serialization failure / deadlock: the call rolled back as a whole, run it again
            if (attempt >= kMaxAttempts) throw;
            log::debug("command retried", {{"attempt", attempt}, {"error", e.what()}});
        }
    }
}

nlohmann::ordered_json StreamService::create_stream(const CreateStream& c) {
    const std::string amount_text = amount::format(c.amount);
    const std::string timestamp = now_iso8601();
    return execute(
        [&](pqxx::nontransaction& tx) {
            return db::create_stream(tx, c.stream_id, c.sender, c.receiver, amount_text, timestamp);
        },
        [&](const Result& r) {
            Outcome out;
            switch (r.outcome) {
                case Result::Outcome::created:
                    out.message = "stream created";
                    out.created = true;
                    out.event = new_stream_event(
                        {c.stream_id, c.sender, c.receiver, amount_text, kActive}, timestamp);
                    return out;
                case Result::Outcome::conflict:
                    if (r.field == "amount")
                        throw ClientError(
                            409,
                            "stream " + c.stream_id + " already exists with a different amount",
                            "amount");
                    throw ClientError(
                        409, "stream " + c.stream_id + " already exists with different parties",
                        r.field);
                case Result::Outcome::unchanged:
                    out.message = "stream already exists with the same parties; nothing changed";
                    out.data = {{"streamId", c.stream_id},
                                {"sender", r.sender},
                                {"receiver", r.receiver},
                                {"amount", r.amount},
                                {"status", r.status}};
                    return out;
                default:
                    unexpected("pulse_create_stream", r);
            }
        });
}

nlohmann::ordered_json StreamService::register_withdrawal(const RegisterWithdrawal& w) {
    const std::string timestamp = now_iso8601();
    return execute(
        [&](pqxx::nontransaction& tx) {
            return db::register_withdrawal(tx, w.stream_id, amount::format(w.amount), timestamp);
        },
        [&](const Result& r) {
            switch (r.outcome) {
                case Result::Outcome::not_found:
                    throw ClientError(404, "unknown stream " + w.stream_id, "streamId");
                case Result::Outcome::conflict:
                    if (r.field == "amount")
                        throw ClientError(409,
                                          "withdrawal exceeds the stream total (" + r.amount +
                                              ", already withdrawn " + r.withdrawn + ")",
                                          "amount");
                    throw ClientError(409, "stream " + w.stream_id + " is canceled", "streamId");
                case Result::Outcome::done: {
                    Outcome out;
                    out.message = "withdrawal registered";
                    out.event = balance_update_event(r.receiver, r.withdrawn, timestamp);
                    return out;
                }
                default:
                    unexpected("pulse_register_withdrawal", r);
            }
        });
}

nlohmann::ordered_json StreamService::cancel_stream(const CancelStream& c) {
    const std::string timestamp = now_iso8601();
    return execute(
        [&](pqxx::nontransaction& tx) {
            return db::cancel_stream(tx, c.stream_id, amount::format(c.to_receiver),
                                     amount::format(c.to_sender), timestamp);
        },
        [&](const Result& r) {
            switch (r.outcome) {
                case Result::Outcome::not_found:
                    throw ClientError(404, "unknown stream " + c.stream_id, "streamId");
                case Result::Outcome::conflict:
                    if (r.field == "toSender")
                        throw ClientError(409,
                                          "toSender exceeds the stream total (" + r.amount + ")",
                                          "toSender");
                    throw ClientError(409, "stream " + c.stream_id + " is already canceled",
                                      "streamId");
                case Result::Outcome::done: {
                    // The function checked toSender <= total; the event's amount is total -
                    // toSender.
                    const auto total = stored_amount(r.amount);
                    Outcome out;
                    out.message = "stream canceled";
                    out.event = new_stream_event({c.stream_id, r.sender, r.receiver,
                                                  amount::format(total - c.to_sender), kCanceled},
                                                 timestamp);
                    return out;
                }
                default:
                    unexpected("pulse_cancel_stream", r);
            }
        });
}

}  // namespace pulse::lifecycle
