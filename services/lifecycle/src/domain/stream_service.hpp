#pragma once
// The stream rules (DESIGN.md "Domain"): each command is one call of its PostgreSQL function
// (db/stream_store), which checks what needs database state, writes the domain rows and the
// outbox row and commits, all in one round trip; the event is published after that commit and
// the row marked published off the request path (outbox/published_marker).
// Client mistakes throw ClientError (and nothing is written or published); infrastructure
// failures throw other exceptions (the router answers 503/500).
#include <atomic>
#include <cstdint>

#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "db/pool.hpp"
#include "db/stream_store.hpp"
#include "domain/events.hpp"
#include "domain/requests.hpp"
#include "outbox/event_sink.hpp"
#include "outbox/published_marker.hpp"

namespace pulse::lifecycle {

class StreamService {
  public:
    StreamService(db::ConnectionPool& pool, outbox::EventSink& sink,
                  outbox::PublishedMarker& marker)
        : pool_(pool), sink_(sink), marker_(marker) {}

    // The JSON success bodies: {"success":true,"message":...,"event":...,"seq":...,"data":{...}}
    nlohmann::ordered_json create_stream(const CreateStream& command);
    nlohmann::ordered_json register_withdrawal(const RegisterWithdrawal& command);
    nlohmann::ordered_json cancel_stream(const CancelStream& command);

    std::uint64_t events_committed() const { return committed_.load(); }

  private:
    struct Outcome {
        std::string message;
        std::optional<EventToPublish> event;  // empty: nothing changed (idempotent re-post)
        nlohmann::ordered_json data;          // body "data" when there is no event
        bool created = false;
    };
    // `call` runs the command's function; `interpret` turns its result into an Outcome or throws
    // ClientError (the function wrote nothing then).
    template <class Call, class Interpret>
    nlohmann::ordered_json execute(Call&& call, Interpret&& interpret);

    db::ConnectionPool& pool_;
    outbox::EventSink& sink_;
    outbox::PublishedMarker& marker_;
    std::atomic<std::uint64_t> committed_{0};
};

}  // namespace pulse::lifecycle
