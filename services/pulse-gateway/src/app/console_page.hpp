#pragma once
// The Pulse console (clients/console/index.html, compiled into the binary) at GET /console when
// PULSE_CONSOLE=on; off by default, when /console answers 404 JSON. The page loads the client
// bundle from /socket.io/ and calls /api/test/* on the same origin (HAProxy routes those to the
// lifecycle), so it needs the client bundle installed and the one-origin setup of scripts/run.
#include <string_view>

#include "http/router.hpp"

namespace pulse::app {

std::string_view console_html();  // generated from clients/console/index.html at build time

void install_console(http::Router& router, bool enabled);

}  // namespace pulse::app
