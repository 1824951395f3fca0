#include "net/acceptor.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>

#include <pulse/log.hpp>

#include "net/io_shards.hpp"

namespace pulse::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Acceptor::Impl : std::enable_shared_from_this<Acceptor::Impl> {
    Impl(IoShards& s, Handler h)
        : shards(s), on_accept(std::move(h)), acceptor(s.at(0)), pause(s.at(0)) {}

    void accept() {
        const std::size_t shard = shards.next_index();
        acceptor.async_accept(
            shards.at(shard), peer,
            [self = shared_from_this(), shard](boost::system::error_code ec, ShardSocket socket) {
                if (!self->acceptor.is_open()) return;
                if (!ec) {
                    self->delay = std::chrono::milliseconds(0);
                    // The socket already belongs to its shard's io_context: start it there.
                    asio::post(socket.get_executor(),
                               [self, shard, peer = self->peer, s = std::move(socket)]() mutable {
                                   self->on_accept(std::move(s), peer, shard);
                               });
                    self->accept();
                    return;
                }
                if (ec == asio::error::operation_aborted) return;
                self->back_off(ec);
            });
    }

    // A failed accept (EMFILE/ENFILE: out of descriptors, ENOBUFS, ENOMEM) leaves the connection
    // queued, so the listener is readable again at once: retrying straight away spins a core and
    // floods the log while nothing frees a descriptor. Pause (10 ms doubling to 1 s while it keeps
    // failing) so that the shards keep serving open connections, and log one line per interval.
    void back_off(const boost::system::error_code& ec) {
        errors.fetch_add(1, std::memory_order_relaxed);
        if (out_of_descriptors && (ec == asio::error::no_descriptors ||
                                   ec == boost::system::errc::too_many_files_open_in_system))
            out_of_descriptors();
        delay = std::min(std::max(delay * 2, std::chrono::milliseconds(10)),
                         std::chrono::milliseconds(1000));
        const auto now = std::chrono::steady_clock::now();
        if (last_log == std::chrono::steady_clock::time_point{} || now - last_log >= kLogInterval) {
            pulse::log::warn(
                "accept failed; pausing the listener",
                {{"error", ec.message()}, {"pause_ms", delay.count()}, {"suppressed", suppressed}});
            last_log = now;
            suppressed = 0;
        } else {
            ++suppressed;
        }
        pause.expires_after(delay);
        pause.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
            if (wait_ec || !self->acceptor.is_open()) return;
            self->accept();
        });
    }

    static constexpr std::chrono::seconds kLogInterval{10};
    std::chrono::milliseconds delay{0};
    std::chrono::steady_clock::time_point last_log{};
    std::uint64_t suppressed = 0;
    std::atomic<std::uint64_t> errors{0};
    IoShards& shards;
    const Handler on_accept;
    std::function<void()> out_of_descriptors;  // set before start(), run on this thread
    tcp::acceptor acceptor;
    asio::steady_timer pause;  // on the acceptor's context, like every handler above
    tcp::endpoint peer;        // filled by the pending accept (one at a time)
    std::atomic<bool> started{false};
};

Acceptor::Acceptor(IoShards& shards, const std::string& host, std::uint16_t port, Handler on_accept)
    : impl_(std::make_shared<Impl>(shards, std::move(on_accept))) {
    const std::string where = host + ":" + std::to_string(port);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": invalid address");
    const tcp::endpoint endpoint(address, port);
    auto& a = impl_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

Acceptor::~Acceptor() {
    stop();
}

std::uint16_t Acceptor::port() const {
    boost::system::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void Acceptor::start() {
    // One accept pending at a time (it fills the shared `peer`): a second start() is a no-op.
    if (impl_->started.exchange(true)) return;
    asio::post(impl_->acceptor.get_executor(), [impl = impl_] { impl->accept(); });
}

std::uint64_t Acceptor::accept_errors() const {
    return impl_->errors.load(std::memory_order_relaxed);
}

void Acceptor::on_out_of_descriptors(std::function<void()> hook) {
    impl_->out_of_descriptors = std::move(hook);
}

void Acceptor::stop() {
    asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
        impl->pause.cancel();
    });
}

}  // namespace pulse::net
