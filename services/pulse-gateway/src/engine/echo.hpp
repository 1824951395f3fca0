#pragma once
// A raw Engine.IO echo: every message (text or binary) goes back to its sender unchanged. Used by
// the conformance servers' /engine.io/ endpoint.
#include "engine/server.hpp"

namespace pulse::engine {

// A ConnectionHandler that echoes; pass it to Server's constructor.
Server::ConnectionHandler echo_handler();

}  // namespace pulse::engine
