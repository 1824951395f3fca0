#pragma once
// The Pulse console (clients/console/, compiled into the binary) at GET /console, with its script
// and style at /console/console.js and /console/console.css, when PULSE_CONSOLE=on; off by
// default, when those answer 404 JSON. The page loads the client bundle from /socket.io/ and calls
// /api/test/* on the same origin (HAProxy routes those to the lifecycle), so it needs the client
// bundle installed and the one-origin setup of scripts/run. No inline code: its CSP allows
// scripts and styles from this origin only.
#include <string_view>

#include "http/router.hpp"

namespace pulse::app {

// Generated from clients/console/ at build time.
std::string_view console_html();    // index.html
std::string_view console_script();  // console.js
std::string_view console_style();   // console.css

void install_console(http::Router& router, bool enabled);

}  // namespace pulse::app
