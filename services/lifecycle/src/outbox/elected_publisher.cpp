#include <pqxx/pqxx>

#include "outbox/elected_publisher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "pulse/envelope.hpp"
#include "pulse/log.hpp"

namespace pulse::lifecycle::outbox {
namespace {

// Any constant works as long as every instance uses the same one (not the migrations' key).
constexpr const char* kTryLead = "SELECT pg_try_advisory_lock(7420113520261127)";
constexpr const char* kChannel = "pulse_outbox";
constexpr std::size_t kReadBatch = 1000;
constexpr int kMaxReadsPerPass = 20;

using Clock = std::chrono::steady_clock;

void raise_to(std::atomic<std::int64_t>& value, std::int64_t candidate) {
    auto current = value.load();
    while (candidate > current && !value.compare_exchange_weak(current, candidate)) {
    }
}

}  // namespace

struct ElectedPublisher::Connection {
    // Each batch's NOTIFY carries its last seq: the leader then knows what to read up to.
    struct Receiver : pqxx::notification_receiver {
        Receiver(pqxx::connection_base& c, ElectedPublisher& p)
            : pqxx::notification_receiver(c, kChannel), publisher(p) {}
        void operator()(const std::string& payload, int backend_pid) override {
            std::int64_t seq = 0;
            auto [ptr, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), seq);
            (void)ptr;
            if (ec != std::errc{}) return;
            const int own = publisher.own_backend_.load();
            raise_to(own != 0 && backend_pid == own ? publisher.own_notified_
                                                    : publisher.known_committed_,
                     seq);
        }
        ElectedPublisher& publisher;
    };

    explicit Connection(const std::string& conninfo) : conn(conninfo) {}
    pqxx::connection conn;
    std::unique_ptr<Receiver> receiver;  // set while leading
    std::int64_t saved_cursor = 0;
    Clock::time_point saved_at{};
    Clock::time_point read_at{};
};

ElectedPublisher::ElectedPublisher(std::string conninfo, bus::Publisher& bus, std::string epoch,
                                   PublisherOptions options)
    : conninfo_(std::move(conninfo)),
      bus_(bus),
      epoch_(std::move(epoch)),
      options_(options),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
}

ElectedPublisher::~ElectedPublisher() {
    stop();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ElectedPublisher::start() {
    thread_ = std::thread([this] { loop(); });
}

void ElectedPublisher::stop() {
    stopping_ = true;
    wake();
    if (thread_.joinable()) thread_.join();
}

std::string ElectedPublisher::encoded(const db::OutboxRow& row) const {
    return envelope::encode(envelope::kVersion, epoch_, row.seq, row.event, row.rooms, row.data);
}

void ElectedPublisher::wake() {
    const std::uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof one);
    (void)n;
}

void ElectedPublisher::commit_unknown() {
    const auto at = (Clock::now() + options_.cursor_period).time_since_epoch().count();
    std::int64_t pending = 0;
    // A later failure moves a pending read-back later, so that it covers that batch too.
    while (!reread_at_.compare_exchange_weak(pending, std::max(pending, at))) {
    }
    wake();
}

void ElectedPublisher::committed(const std::vector<db::OutboxRow>& rows) {
    if (rows.empty()) return;
    if (!leader_.load()) {  // the leader elsewhere hears the batch's NOTIFY
        raise_to(known_committed_, rows.back().seq);
        return;
    }
    bool behind = false;
    {
        std::lock_guard lock(send_mutex_);
        if (leader_.load()) send_in_order(rows);
        behind = last_sent_ < rows.back().seq;
    }
    // Raised only now: a catch-up running meanwhile must not read back rows being sent here.
    raise_to(known_committed_, rows.back().seq);
    // Rows of another instance come first (or the socket refused one): read them back.
    if (behind) wake();
}

void ElectedPublisher::send_in_order(const std::vector<db::OutboxRow>& rows) {
    for (const auto& row : rows) {
        if (row.seq <= last_sent_) continue;
        if (row.seq != last_sent_ + 1) return;
        if (!bus_.publish(row.event, row.seq, encoded(row))) return;
        last_sent_ = row.seq;
        ++sent_;
    }
}

void ElectedPublisher::wait_for_wake(std::chrono::milliseconds timeout) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {-1, POLLIN, 0}};
    nfds_t count = 1;
    if (conn_ && conn_->receiver) {
        fds[1].fd = conn_->conn.sock();
        count = 2;
    }
    const int ready =
        ::poll(fds, count, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0)));
    if (ready > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t drained = 0;
        ssize_t n = ::read(wake_fd_, &drained, sizeof drained);
        (void)n;
    }
    if (count == 2) conn_->conn.get_notifs();  // throws when the connection broke
}

void ElectedPublisher::catch_up() {
    auto& c = *conn_;
    const auto now = Clock::now();
    std::int64_t from = 0;
    {
        std::lock_guard lock(send_mutex_);
        from = last_sent_;
    }
    // Our own writer's rows not handed over within a cursor period: read them back too. One
    // announced seq is watched at a time (under steady load a newer one is always in flight).
    if (own_watch_seq_ != 0 && from >= own_watch_seq_) own_watch_seq_ = 0;  // handed over
    if (own_watch_seq_ == 0) {
        if (const auto announced = own_notified_.load(); announced > from) {
            own_watch_seq_ = announced;
            own_watch_since_ = now;
        }
    } else if (now - own_watch_since_ >= options_.cursor_period) {
        raise_to(known_committed_, own_watch_seq_);
        own_watch_seq_ = 0;
    }
    // A batch whose commit the writer could not confirm: its read-back is due.
    bool reread = false;
    if (auto at = reread_at_.load(); at != 0 && now.time_since_epoch().count() >= at)
        reread = reread_at_.compare_exchange_strong(at, 0);
    // Read back when something is known to be committed beyond what was sent, and once a poll
    // period anyway (a NOTIFY is not guaranteed to arrive, e.g. across a reconnect).
    if (reread || known_committed_.load() > from || now - c.read_at >= options_.poll) {
        c.read_at = now;
        for (int round = 0; round < kMaxReadsPerPass; ++round) {
            auto rows = db::read_after(c.conn, from, kReadBatch);
            if (rows.empty()) break;
            std::lock_guard lock(send_mutex_);
            const auto before = last_sent_;
            send_in_order(rows);
            read_back_ += static_cast<std::uint64_t>(last_sent_ - before);
            if (last_sent_ < rows.back().seq || rows.size() < kReadBatch) break;
            from = last_sent_;
        }
    }
    std::int64_t sent = 0;
    {
        std::lock_guard lock(send_mutex_);
        sent = last_sent_;
    }
    if (sent > c.saved_cursor && (now - c.saved_at >= options_.cursor_period || stopping_)) {
        db::save_publish_cursor(c.conn, sent);
        c.saved_cursor = sent;
        c.saved_at = now;
    }
}

void ElectedPublisher::loop() {
    while (!stopping_.load()) {
        try {
            if (!conn_) conn_ = std::make_unique<Connection>(conninfo_);
            if (!leader_.load()) {
                pqxx::nontransaction tx(conn_->conn);
                const bool won = tx.exec(kTryLead)[0][0].as<bool>();
                tx.commit();
                if (!won) {
                    wait_for_wake(options_.poll);
                    continue;
                }
                conn_->receiver = std::make_unique<Connection::Receiver>(conn_->conn, *this);
                // Rows committed but not sent by the previous leader go out only once
                // subscribers had time to reconnect; with none, lead at once.
                if (db::read_publish_cursor(conn_->conn) < db::read_last_seq(conn_->conn)) {
                    const auto deadline = Clock::now() + options_.takeover_delay;
                    while (!stopping_.load() && Clock::now() < deadline)
                        wait_for_wake(std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - Clock::now()));
                }
                const auto cursor = db::read_publish_cursor(conn_->conn);
                {
                    std::lock_guard lock(send_mutex_);
                    last_sent_ = cursor;
                }
                conn_->saved_cursor = cursor;
                conn_->read_at = {};
                leader_ = true;
                log::info("publishing the outbox", {{"after_seq", cursor}});
            }
            catch_up();
            auto timeout = options_.poll;
            if (std::max(known_committed_.load(), own_notified_.load()) > conn_->saved_cursor)
                timeout = std::min(timeout, options_.cursor_period);
            if (const auto at = reread_at_.load(); at != 0) {
                const auto due = Clock::time_point(Clock::duration(at));
                timeout = std::min(timeout, std::chrono::ceil<std::chrono::milliseconds>(
                                                std::max(due - Clock::now(), Clock::duration(0))));
            }
            wait_for_wake(timeout);
        } catch (const std::exception& e) {
            if (stopping_.load()) break;
            if (leader_.exchange(false))
                log::warn("outbox publisher lost its database session", {{"error", e.what()}});
            else
                log::warn("outbox publisher cannot reach the database", {{"error", e.what()}});
            conn_.reset();
            wait_for_wake(std::min(options_.poll, std::chrono::milliseconds(1000)));
        }
    }
    try {
        if (leader_.load() && conn_) catch_up();  // stopping_: the cursor is saved now
    } catch (const std::exception& e) {
        log::warn("outbox publisher could not save its cursor", {{"error", e.what()}});
    }
    leader_ = false;
    conn_.reset();  // ends the session: the advisory lock goes with it
}

}  // namespace pulse::lifecycle::outbox
