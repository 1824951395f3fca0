#pragma once
// Fires requests from their own threads at once (each its own connection, as independent callers
// would) and returns the replies in index order; a connection failure is status -1.
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

namespace pulse::test {

struct Shot {
    std::uint16_t port = 0;
    std::string target;
    nlohmann::json body;
};

inline std::vector<HttpReply> fire_in_parallel(int count, const std::function<Shot(int)>& make) {
    std::vector<HttpReply> replies(static_cast<std::size_t>(count));
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
            const Shot shot = make(i);
            while (!go.load()) std::this_thread::yield();
            auto& reply = replies[static_cast<std::size_t>(i)];
            try {
                reply = post_json(shot.port, shot.target, shot.body);
            } catch (const std::exception&) {
                reply.status = -1;
            }
        });
    }
    go = true;
    for (auto& t : threads) t.join();
    return replies;
}

}  // namespace pulse::test
