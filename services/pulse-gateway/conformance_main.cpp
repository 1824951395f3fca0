// pulse-conformance-server: the protocol-test server of issue 3, built from the gateway's layers.
// /engine.io/ echoes every Engine.IO message; /socket.io/ answers `message` with `message-back`,
// acks `message-with-ack`, emits `auth` on connect, has a `/custom` namespace, refuses others.
#include <cstdio>
#include <exception>

#include <pulse/log.hpp>

#include "pulse/gateway_app.hpp"

int main() {
    pulse::log::init("conformance");
    try {
        return pulse::app::run_conformance_server();
    } catch (const std::exception& e) {
        pulse::log::error("startup failed", {{"error", e.what()}});
        std::fprintf(stderr, "pulse-conformance-server: %s\n", e.what());
        return 1;
    }
}
