#include "engine/deadline_list.hpp"

#include <memory>

namespace pulse::engine {

DeadlineEntry::~DeadlineEntry() {
    leave_deadline_list();
}

void DeadlineEntry::leave_deadline_list() {
    if (list_) list_->remove(*this);
}

DeadlineList::DeadlineList(boost::asio::io_context& io, std::chrono::milliseconds duration,
                           Callback on_due)
    : timer_(io), duration_(duration), on_due_(on_due) {}

DeadlineList::~DeadlineList() {
    *alive_ = false;
    while (head_) remove(*head_);
}

void DeadlineList::push_back(DeadlineEntry& entry) {
    if (entry.list_) entry.list_->remove(entry);
    entry.list_ = this;
    entry.due_ = std::chrono::steady_clock::now() + duration_;
    entry.prev_ = tail_;
    entry.next_ = nullptr;
    if (tail_) {
        tail_->next_ = &entry;
    } else {
        head_ = &entry;
    }
    tail_ = &entry;
    ++size_;
    if (!armed_) arm();
}

void DeadlineList::remove(DeadlineEntry& entry) {
    if (entry.list_ != this) return;
    if (entry.prev_) {
        entry.prev_->next_ = entry.next_;
    } else {
        head_ = entry.next_;
    }
    if (entry.next_) {
        entry.next_->prev_ = entry.prev_;
    } else {
        tail_ = entry.prev_;
    }
    entry.prev_ = entry.next_ = nullptr;
    entry.list_ = nullptr;
    --size_;
    // The timer is left as it is: if it fires for an entry that is gone, on_timer re-arms for
    // the new head (cheaper than cancelling and re-arming on every pong).
}

void DeadlineList::arm() {
    armed_ = true;
    timer_.expires_at(head_->due_);
    timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (!*alive || ec == boost::asio::error::operation_aborted) return;
        on_timer();
    });
}

void DeadlineList::on_timer() {
    armed_ = false;
    const auto now = std::chrono::steady_clock::now();
    // Bounded twice: only entries that were due at `now`, and at most as many as were listed (a
    // callback that re-adds an entry to this list cannot keep the loop going).
    for (std::size_t n = size_; n > 0 && head_ && head_->due_ <= now; --n) {
        DeadlineEntry& entry = *head_;
        remove(entry);
        on_due_(entry);
    }
    if (head_ && !armed_) arm();
}

}  // namespace pulse::engine
