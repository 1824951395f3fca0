#pragma once
// Queued outbound Engine.IO packets. Text packets are complete (type digit included) and shared
// with every other socket receiving the same broadcast; binary ones are raw bytes.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pulse::engine {

struct Outgoing {
    std::shared_ptr<const std::string> data;
    bool binary = false;
};

// FIFO of packets that counts its bytes. A vector plus a read index rather than std::deque:
// an idle session's queue costs nothing (libstdc++'s deque allocates a block up front), and
// once warm the same capacity is reused, so queueing a delivery allocates nothing.
class PacketQueue {
  public:
    bool empty() const { return head_ == items_.size(); }
    std::size_t size() const { return items_.size() - head_; }
    std::size_t bytes() const { return bytes_; }

    void push(Outgoing o) {
        bytes_ += o.data->size();
        items_.push_back(std::move(o));
    }
    Outgoing pop() {
        Outgoing o = std::move(items_[head_++]);
        bytes_ -= o.data->size();
        if (head_ == items_.size()) {
            items_.clear();
            head_ = 0;
            // Do not keep a burst's capacity forever on an idle session.
            if (items_.capacity() > 1024) items_.shrink_to_fit();
        } else if (head_ >= 256 && head_ * 2 >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        return o;
    }
    void clear() {
        items_.clear();
        items_.shrink_to_fit();
        head_ = 0;
        bytes_ = 0;
    }
    // Moves everything from `other` to the back of this queue.
    void append(PacketQueue& other) {
        while (!other.empty()) push(other.pop());
    }
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t i = head_; i < items_.size(); ++i) f(items_[i]);
    }

  private:
    std::vector<Outgoing> items_;
    std::size_t head_ = 0;
    std::size_t bytes_ = 0;
};

}  // namespace pulse::engine
