#pragma once
// The gateway's threading model (share-nothing, like uWebSockets / Seastar):
// N shards, each one io_context run by exactly one thread. A TCP connection, an Engine.IO session
// and the Socket.IO sockets on it live on one shard and are touched only by that shard's thread,
// so sessions need no strands and no locks. Cross-shard work (a polling request that arrives on a
// connection of shard A for a session of shard B, a bus event for every shard) is posted.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace pulse::net {

class IoShards {
  public:
    explicit IoShards(std::size_t count);
    ~IoShards();
    IoShards(const IoShards&) = delete;
    IoShards& operator=(const IoShards&) = delete;

    std::size_t size() const { return contexts_.size(); }
    boost::asio::io_context& at(std::size_t index) { return *contexts_[index]; }
    // Round-robin choice for a new connection.
    std::size_t next_index();

    // Starts one thread per shard (the calling thread is not used) and returns.
    void start();
    // Asks every shard to stop and joins the threads.
    void stop_and_join();

  private:
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<std::thread> threads_;
    // Keep each io_context running while it has nothing to do (between connections).
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
    std::size_t next_ = 0;
};

}  // namespace pulse::net
