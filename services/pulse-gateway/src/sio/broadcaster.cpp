#include "sio/broadcaster.hpp"

#include <boost/asio/post.hpp>

#include "pulse/json_text.hpp"

#include "net/io_shards.hpp"
#include "parser/encoder.hpp"
#include "sio/server.hpp"

namespace pulse::sio {

Broadcaster::Broadcaster(net::IoShards& shards, Server& server, std::string nsp,
                         RecoveryStore* recovery)
    : shards_(shards), server_(server), nsp_(std::move(nsp)), recovery_(recovery) {}

std::shared_ptr<const std::string> Broadcaster::encode(std::string_view event,
                                                       std::string_view data_json,
                                                       const Offset& at) const {
    std::string args;
    args.reserve(data_json.size() + 64);
    args.append(data_json);
    if (recovery_) {
        // The arguments after the event name are written verbatim: data, then the offset.
        args += ',';
        json_text::append_string(args, format_offset(at));
    }
    return std::make_shared<const std::string>(parser::encode_event_text("4", nsp_, event, args));
}

void Broadcaster::broadcast(std::vector<std::string> rooms, std::string_view event,
                            std::string_view data_json, const Offset& at) {
    const auto started = std::chrono::steady_clock::now();
    auto packet = encode(event, data_json, at);
    auto shared_rooms = std::make_shared<const std::vector<std::string>>(std::move(rooms));
    if (recovery_) recovery_->record(at, shared_rooms, packet);
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        boost::asio::post(shards_.at(i), [this, i, at, shared_rooms, packet, started] {
            std::size_t sent = 0;
            if (auto* index = server_.rooms(i, nsp_))
                sent = index->broadcast(*shared_rooms, packet);
            if (recovery_) recovery_->processed(i, at);
            if (delivered_) delivered_(i, sent, std::chrono::steady_clock::now() - started);
        });
    }
}

}  // namespace pulse::sio
