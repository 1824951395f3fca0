#pragma once
// The socket.io-client browser bundles at /socket.io/socket.io.js (.min.js, .esm.min.js, their
// source maps, the msgpack build), as the Node server's `serveClient` offers them: same files
// (from the npm socket.io-client package this repository pins), ETag = the client's version,
// 304 on If-None-Match, Cache-Control "public, max-age=0".
//
// Where the files come from: PULSE_CLIENT_DIST, the socket.io-client package folder (the one
// holding package.json and dist/). scripts/run and the tests point it at
// clients/js/node_modules/socket.io-client; the Docker image copies that folder to
// /usr/share/pulse/socket.io-client and sets it. Files are read once at start. Absent (unset, or
// a folder without the bundles): the same URLs answer 404 JSON instead of reaching Engine.IO, and
// start-up logs one warning saying so.
#include <string>
#include <utility>
#include <vector>

#include "http/router.hpp"
#include "http/static_file.hpp"

namespace pulse::app {

struct ClientBundle {
    std::string version;  // the package's version, "" when not loaded
    std::vector<std::pair<std::string, http::StaticFile>> files;  // file name -> contents
    std::string problem;  // why nothing is served ("" when loaded)
};

// The file names served, as the Node server serves them.
const std::vector<std::string>& client_bundle_file_names();

// Reads package.json's version and every bundle file found in dist/. Never throws: a missing or
// unreadable folder is reported in `problem`.
ClientBundle load_client_bundle(const std::string& package_dir);

// GET /socket.io/<name> for every name of client_bundle_file_names(): the file, or 404 JSON when
// it was not loaded. Exact routes, so they win over the Engine.IO mount on the same prefix.
void install_client_bundle(http::Router& router, const ClientBundle& bundle,
                           const std::string& prefix = "/socket.io/");

}  // namespace pulse::app
