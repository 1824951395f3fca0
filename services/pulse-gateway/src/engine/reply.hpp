#pragma once
// The engine's view of one HTTP request awaiting its answer (a long-polling GET may wait for
// seconds). Implemented by http/'s connection; the engine may answer from any shard thread.
#include "http/message.hpp"

namespace pulse::engine {

class Reply {
  public:
    virtual ~Reply() = default;
    // Thread-safe; call at most once. Ignored when the connection is already gone.
    virtual void send(http::Response response) = 0;
};

}  // namespace pulse::engine
