#include <pqxx/pqxx>

#include "domain/stream_service.hpp"

#include <pqxx/except>
#include <pqxx/transaction>

#include "db/outbox_store.hpp"
#include "db/stream_store.hpp"
#include "domain/client_error.hpp"
#include "pulse/amount.hpp"
#include "pulse/clock.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle {
namespace {

constexpr const char* kActive = "ACTIVE";
constexpr const char* kCanceled = "CANCELED";
constexpr int kMaxAttempts = 3;

amount::Amount stored_amount(const std::string& text) {
    auto parsed = amount::parse(text);
    // numeric(39,0)::text is canonical and within range by the table's checks
    if (!parsed) throw std::runtime_error("corrupt amount in database: " + text);
    return *parsed.value;
}

}  // namespace

template <class DomainWork>
nlohmann::ordered_json StreamService::transact(DomainWork&& work) {
    for (int attempt = 1;; ++attempt) {
        auto lease = pool_.acquire();
        try {
            pqxx::work tx(lease.get());
            Outcome outcome = work(tx);  // ClientError propagates: tx rolls back, nothing written
            nlohmann::ordered_json body;
            body["success"] = true;
            body["message"] = outcome.message;
            if (!outcome.event) {
                tx.commit();
                body["created"] = outcome.created;
                body["data"] = outcome.data;
                return body;
            }
            const auto& ev = *outcome.event;
            db::OutboxRow row{0, ev.event, ev.rooms, ev.data};
            bool sent = false;
            {
                std::lock_guard order(sink_.order());
                row.seq = db::append_outbox(tx, ev.event, ev.rooms, ev.data.dump());
                tx.commit();
                ++committed_;
                sent = sink_.publish(row);
            }
            if (sent) marker_.mark(row.seq);
            if (outcome.created) body["created"] = true;
            body["event"] = ev.event;
            body["seq"] = row.seq;
            body["data"] = ev.data;
            return body;
        } catch (const pqxx::broken_connection&) {
            lease.discard();
            throw;
        } catch (const pqxx::transaction_rollback& e) {
            // serialization failure / deadlock: retry the whole transaction
            if (attempt >= kMaxAttempts) throw;
            log::debug("transaction retried", {{"attempt", attempt}, {"error", e.what()}});
        }
    }
}

nlohmann::ordered_json StreamService::create_stream(const CreateStream& c) {
    const std::string amount_text = amount::format(c.amount);
    return transact([&](pqxx::work& tx) {
        Outcome out;
        if (db::insert_stream_if_absent(tx, c.stream_id, c.sender, c.receiver, amount_text)) {
            out.message = "stream created";
            out.created = true;
            out.event = new_stream_event({c.stream_id, c.sender, c.receiver, amount_text, kActive},
                                         now_iso8601());
            return out;
        }
        // It exists (the insert waited for any concurrent creator to commit).
        auto existing = db::read_stream(tx, c.stream_id);
        if (!existing) throw std::runtime_error("stream vanished during upsert");
        if (existing->sender != c.sender || existing->receiver != c.receiver)
            throw ClientError(409,
                              "stream " + c.stream_id + " already exists with different parties",
                              existing->sender != c.sender ? "sender" : "receiver");
        if (existing->amount != amount_text)
            throw ClientError(
                409, "stream " + c.stream_id + " already exists with a different amount", "amount");
        out.message = "stream already exists with the same parties; nothing changed";
        out.data = {{"streamId", c.stream_id},
                    {"sender", existing->sender},
                    {"receiver", existing->receiver},
                    {"amount", existing->amount},
                    {"status", existing->status}};
        return out;
    });
}

nlohmann::ordered_json StreamService::register_withdrawal(const RegisterWithdrawal& w) {
    return transact([&](pqxx::work& tx) {
        auto stream = db::lock_stream(tx, w.stream_id);
        if (!stream) throw ClientError(404, "unknown stream " + w.stream_id, "streamId");
        if (stream->status == kCanceled)
            throw ClientError(409, "stream " + w.stream_id + " is canceled", "streamId");
        const auto total = stored_amount(stream->amount);
        const auto withdrawn = stored_amount(stream->withdrawn);
        if (w.amount > total - withdrawn)  // no overflow: withdrawn <= total
            throw ClientError(409,
                              "withdrawal exceeds the stream total (" + stream->amount +
                                  ", already withdrawn " + stream->withdrawn + ")",
                              "amount");
        const std::string new_withdrawn = amount::format(withdrawn + w.amount);
        db::record_withdrawal(tx, w.stream_id, amount::format(w.amount), new_withdrawn);
        Outcome out;
        out.message = "withdrawal registered";
        out.event = balance_update_event(stream->receiver, new_withdrawn, now_iso8601());
        return out;
    });
}

nlohmann::ordered_json StreamService::cancel_stream(const CancelStream& c) {
    return transact([&](pqxx::work& tx) {
        auto stream = db::lock_stream(tx, c.stream_id);
        if (!stream) throw ClientError(404, "unknown stream " + c.stream_id, "streamId");
        if (stream->status == kCanceled)
            throw ClientError(409, "stream " + c.stream_id + " is already canceled", "streamId");
        const auto total = stored_amount(stream->amount);
        if (c.to_sender > total)
            throw ClientError(409, "toSender exceeds the stream total (" + stream->amount + ")",
                              "toSender");
        db::record_cancellation(tx, c.stream_id, amount::format(c.to_receiver),
                                amount::format(c.to_sender));
        Outcome out;
        out.message = "stream canceled";
        out.event = new_stream_event({c.stream_id, stream->sender, stream->receiver,
                                      amount::format(total - c.to_sender), kCanceled},
                                     now_iso8601());
        return out;
    });
}

}  // namespace pulse::lifecycle
