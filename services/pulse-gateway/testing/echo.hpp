#pragma once
// A raw Engine.IO echo: every message (text or binary) goes back to its sender unchanged. Used by
// the test servers' /engine.io/ endpoint.
#include "engine/server.hpp"

namespace pulse::testing {

// A ConnectionHandler that echoes; pass it to engine::Server's constructor.
engine::Server::ConnectionHandler echo_handler();

}  // namespace pulse::testing
