#include "app/auth.hpp"

#include <unordered_map>

#include <boost/asio/steady_timer.hpp>

#include "net/io_shards.hpp"
#include "sio/server.hpp"
#include "sio/socket.hpp"

namespace pulse::app {
namespace {

using sio::Json;

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Beyond this a token is treated as not expiring during the connection (a timer that far out
// would overflow the clock arithmetic, and no SEP-10 server issues such tokens).
constexpr std::int64_t kLongestWatch_s = 366LL * 24 * 3600;

}  // namespace

// One shard's armed expiry timers, touched only by that shard's thread.
struct Authenticator::Shard {
    std::unordered_map<const sio::Socket*, std::unique_ptr<boost::asio::steady_timer>> timers;
};

Authenticator::Authenticator(jwt::Verifier verifier, net::IoShards& shards)
    : verifier_(std::move(verifier)), shards_(shards) {
    for (std::size_t i = 0; i < shards.size(); ++i) per_shard_.push_back(std::make_unique<Shard>());
}

Authenticator::~Authenticator() = default;

std::string_view Authenticator::account_of(const sio::Socket& socket) {
    const Json& auth = socket.auth();
    if (!auth.is_object()) return {};
    auto it = auth.find("account");
    if (it == auth.end() || !it->is_string()) return {};
    return it->get_ref<const std::string&>();
}

void Authenticator::install(sio::Server& server) {
    server.use(
        "/",
        [this](Json& auth, const engine::HandshakeRequest&) -> std::optional<sio::ConnectRefusal> {
            std::string_view token;
            bool wrong_type = false;
            if (auth.is_object()) {
                auto it = auth.find("token");
                if (it != auth.end()) {
                    if (it->is_string())
                        token = it->get_ref<const std::string&>();
                    else
                        wrong_type = true;
                }
            }
            jwt::Result result;
            if (wrong_type) {
                result.error = jwt::Error::malformed;
                result.reason = "auth.token must be a string";
            } else {
                result = verifier_.verify(token, now_s());
            }
            if (!result) {
                ++stats_.refused[static_cast<std::size_t>(result.error)];
                if (stats_.failures) stats_.failures->inc();
                Json data = Json::object();
                data["code"] = std::string(jwt::code(result.error));
                data["reason"] = result.reason;
                return sio::ConnectRefusal{"unauthorized", std::move(data)};
            }
            ++stats_.accepted;
            // What the token proved replaces the token itself (no credential kept per socket). The
            // client cannot plant "account": this overwrites whatever it sent.
            auth.erase("token");
            auth["account"] = result.claims->subject.account;
            auth["exp"] = result.claims->exp;
            return std::nullopt;
        });
    server.on_disconnecting("/", [this](sio::Socket& socket, std::string_view) { forget(socket); });
}

void Authenticator::watch(sio::Socket& socket) {
    const Json& auth = socket.auth();
    auto exp = auth.is_object() ? auth.find("exp") : auth.end();
    if (!auth.is_object() || exp == auth.end() || !exp->is_number_integer()) return;
    const std::int64_t leeway = verifier_.leeway_s();
    const std::int64_t exp_s = exp->get<std::int64_t>();
    const std::int64_t left_s =
        exp_s > INT64_MAX - leeway ? kLongestWatch_s + 1 : exp_s + leeway - now_s();
    if (left_s > kLongestWatch_s) return;

    auto& shard = *per_shard_.at(socket.shard());
    auto timer = std::make_unique<boost::asio::steady_timer>(shards_.at(socket.shard()));
    timer->expires_after(std::chrono::seconds(std::max<std::int64_t>(left_s, 0)));
    sio::Socket* target = &socket;
    timer->async_wait([this, &shard, target](const boost::system::error_code& ec) {
        // Cancelled: the socket ended first and its timer went with it.
        if (ec) return;
        // The socket is alive: its timer (this wait) would have been destroyed otherwise.
        auto keep = target->shared_from_this();
        shard.timers.erase(target);
        ++stats_.expired;
        Json data = Json::object();
        data["code"] = std::string(jwt::code(jwt::Error::expired));
        data["reason"] = "token expired";
        keep->emit("auth-error", Json::array({std::move(data)}));
        keep->disconnect();
    });
    shard.timers[&socket] = std::move(timer);
}

void Authenticator::forget(sio::Socket& socket) {
    per_shard_.at(socket.shard())->timers.erase(&socket);
}

}  // namespace pulse::app
