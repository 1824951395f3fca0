#pragma once
// The stream rules (DESIGN.md "Domain"): each command is one transaction that writes the domain
// rows and the outbox row together; the event is published after commit and the row marked
// published off the request path (outbox/published_marker).
// Client mistakes throw ClientError (and nothing is written or published); infrastructure
// failures throw other exceptions (the router answers 503/500).
#include <atomic>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "db/pool.hpp"
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
    template <class DomainWork>
    nlohmann::ordered_json transact(DomainWork&& work);

    db::ConnectionPool& pool_;
    outbox::EventSink& sink_;
    outbox::PublishedMarker& marker_;
    std::atomic<std::uint64_t> committed_{0};
};

}  // namespace pulse::lifecycle
