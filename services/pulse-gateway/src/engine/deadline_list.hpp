#pragma once
// A FIFO of deadlines that all have the same length (a shard's sessions waiting for their next
// ping, or for a pong), served by ONE timer per list instead of one steady_timer and one pending
// wait per session (held for the session's whole life). Because every entry is
// appended "now + the list's duration", the list is sorted by construction: the head is always
// the next to expire, append and remove are O(1), and the timer only ever waits for the head.
//
// Entries are intrusive (the owner derives from DeadlineEntry), so nothing is allocated per
// entry. Lives on one shard; every call on that shard's thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>

namespace pulse::engine {

class DeadlineList;

struct DeadlineEntry {
    DeadlineEntry() = default;
    DeadlineEntry(const DeadlineEntry&) = delete;
    DeadlineEntry& operator=(const DeadlineEntry&) = delete;
    ~DeadlineEntry();  // leaves its list, if any

    // Which list holds the entry (nullptr: none). An entry is in at most one list.
    DeadlineList* deadline_list() const { return list_; }
    void leave_deadline_list();

  private:
    friend class DeadlineList;
    DeadlineEntry* prev_ = nullptr;
    DeadlineEntry* next_ = nullptr;
    DeadlineList* list_ = nullptr;
    std::chrono::steady_clock::time_point due_{};
};

class DeadlineList {
  public:
    // `on_due` runs for each expired entry, after the entry left the list (it may re-add it, to
    // this list or another one, or destroy its owner).
    using Callback = void (*)(DeadlineEntry& entry);

    DeadlineList(boost::asio::io_context& io, std::chrono::milliseconds duration, Callback on_due);
    ~DeadlineList();
    DeadlineList(const DeadlineList&) = delete;
    DeadlineList& operator=(const DeadlineList&) = delete;

    // Appends `entry` (first removing it from any list) to expire `duration` from now.
    void push_back(DeadlineEntry& entry);
    void remove(DeadlineEntry& entry);
    bool empty() const { return head_ == nullptr; }
    std::size_t size() const { return size_; }

  private:
    void arm();
    void on_timer();

    boost::asio::steady_timer timer_;
    const std::chrono::milliseconds duration_;
    const Callback on_due_;
    DeadlineEntry* head_ = nullptr;
    DeadlineEntry* tail_ = nullptr;
    std::size_t size_ = 0;
    bool armed_ = false;  // a wait is pending (possibly for an earlier time than the head's)
    // Cleared by the destructor: a wait completing after it must not touch the list.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pulse::engine
