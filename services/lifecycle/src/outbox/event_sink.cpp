#include "outbox/event_sink.hpp"

namespace pulse::lifecycle::outbox {

envelope::Envelope EventSink::to_envelope(const db::OutboxRow& row) const {
    envelope::Envelope e;
    e.epoch = epoch_;
    e.seq = row.seq;
    e.event = row.event;
    e.rooms = row.rooms;
    e.data = row.data;
    return e;
}

bool EventSink::publish(const db::OutboxRow& row) {
    return publisher_.publish(to_envelope(row));
}

}  // namespace pulse::lifecycle::outbox
