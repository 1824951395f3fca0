#pragma once
// An in-memory engine::Socket for driving the Socket.IO layer without any network: records what
// the upper layer sends, lets the test inject messages, and closes like the real one (on_close
// fires exactly once).
#include <memory>
#include <string>
#include <vector>

#include "engine/socket.hpp"

namespace pulse::test {

class FakeEngineSocket : public engine::Socket {
  public:
    explicit FakeEngineSocket(std::string sid = "sid-1", std::size_t shard = 0)
        : id_(std::move(sid)), shard_(shard) {}

    const std::string& id() const override { return id_; }
    std::size_t shard() const override { return shard_; }
    const engine::HandshakeRequest& request() const override { return request_; }
    std::string_view transport_name() const override { return "websocket"; }

    void send_text_packet(std::shared_ptr<const std::string> packet) override {
        if (open()) sent.push_back(std::move(packet));
    }
    void send_binary(std::shared_ptr<const std::string> bytes) override {
        if (open()) binaries.push_back(*bytes);
    }
    std::size_t buffered_bytes() const override { return 0; }
    bool open() const override { return !closed && !ending; }
    void close() override { end(engine::CloseReason::server_close); }

    // The peer side.
    void receive(std::string_view text) {
        if (listener) listener->on_message(text, false);
    }
    void receive_binary(std::string_view bytes) {
        if (listener) listener->on_message(bytes, true);
    }
    // The session ends now and drops what is sent; on_close comes with end(), as the real
    // session posts it.
    void begin_end() { ending = true; }
    void end(engine::CloseReason reason) {
        if (closed) return;
        closed = true;
        close_reason = reason;
        // Like the real session: the listener is released before its last callback (which
        // keeps it alive), which breaks the upper layer's reference cycle.
        auto last = std::move(listener);
        listener = nullptr;
        if (last) last->on_close(reason);
    }

    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        for (const auto& p : sent) out.push_back(*p);
        return out;
    }

    engine::HandshakeRequest request_{"127.0.0.1", "", "EIO=4&transport=websocket"};
    std::vector<std::shared_ptr<const std::string>> sent;
    std::vector<std::string> binaries;
    bool closed = false;
    bool ending = false;
    engine::CloseReason close_reason = engine::CloseReason::transport_close;

  private:
    std::string id_;
    std::size_t shard_;
};

}  // namespace pulse::test
