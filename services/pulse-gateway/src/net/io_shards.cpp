#include "net/io_shards.hpp"

#include <stdexcept>

namespace pulse::net {

IoShards::IoShards(std::size_t count) {
    if (count == 0) throw std::invalid_argument("IoShards needs at least one shard");
    for (std::size_t i = 0; i < count; ++i)
        // Concurrency hint 1: exactly one thread runs each context, so Asio can skip its locking.
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

IoShards::~IoShards() {
    stop_and_join();
}

std::size_t IoShards::next_index() {
    const std::size_t i = next_;
    next_ = (next_ + 1) % contexts_.size();
    return i;
}

void IoShards::start() {
    if (!threads_.empty()) return;
    for (auto& ctx : contexts_) {
        ctx->restart();
        guards_.emplace_back(ctx->get_executor());
        threads_.emplace_back([c = ctx.get()] { c->run(); });
    }
}

void IoShards::stop_and_join() {
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace pulse::net
