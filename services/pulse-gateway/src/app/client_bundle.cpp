#include "app/client_bundle.hpp"

#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pulse::app {
namespace {

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = std::move(text).str();
    return static_cast<bool>(in) || in.eof();
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<std::string>& client_bundle_file_names() {
    static const std::vector<std::string> names = {
        "socket.io.js",
        "socket.io.js.map",
        "socket.io.min.js",
        "socket.io.min.js.map",
        "socket.io.esm.min.js",
        "socket.io.esm.min.js.map",
        "socket.io.msgpack.min.js",
        "socket.io.msgpack.min.js.map",
    };
    return names;
}

ClientBundle load_client_bundle(const std::string& package_dir) {
    ClientBundle bundle;
    if (package_dir.empty()) {
        bundle.problem = "PULSE_CLIENT_DIST is not set";
        return bundle;
    }
    std::string manifest;
    if (!read_file(package_dir + "/package.json", manifest)) {
        bundle.problem = "no package.json in " + package_dir;
        return bundle;
    }
    const auto json = nlohmann::json::parse(manifest, nullptr, false);
    if (!json.is_object() || json.value("name", "") != "socket.io-client" ||
        !json.contains("version") || !json["version"].is_string()) {
        bundle.problem = package_dir + "/package.json is not socket.io-client's";
        return bundle;
    }
    const std::string version = json["version"].get<std::string>();
    for (const auto& name : client_bundle_file_names()) {
        http::StaticFile file;
        if (!read_file(package_dir + "/dist/" + name, file.body)) continue;
        const bool map = ends_with(name, ".map");
        file.content_type =
            map ? "application/json; charset=utf-8" : "application/javascript; charset=utf-8";
        // As the Node server: the version is the tag (it changes with every client release), and
        // browsers revalidate each time (max-age=0), getting 304 while the version is the same.
        file.etag = "\"" + version + "\"";
        file.cache_control = "public, max-age=0";
        // A page on another origin may load the bundle as an ES module (which browsers fetch in
        // CORS mode). It is a public file, the same as on npm, and no credentials are involved.
        file.extra_headers.emplace_back("Access-Control-Allow-Origin", "*");
        file.extra_headers.emplace_back("X-Content-Type-Options", "nosniff");
        bundle.files.emplace_back(name, std::move(file));
    }
    if (bundle.files.empty()) {
        bundle.problem = "no socket.io client bundle in " + package_dir + "/dist";
        return bundle;
    }
    bundle.version = version;
    return bundle;
}

void install_client_bundle(http::Router& router, const ClientBundle& bundle,
                           const std::string& prefix) {
    for (const auto& name : client_bundle_file_names()) {
        std::shared_ptr<const http::StaticFile> found;
        for (const auto& [n, file] : bundle.files)
            if (n == name) found = std::make_shared<const http::StaticFile>(file);
        if (found) {
            router.get(prefix + name, [found](const http::Request& request) {
                return http::serve_static(request, *found);
            });
            continue;
        }
        router.get(prefix + name, [](const http::Request&) {
            return http::json_response(
                404,
                R"({"error":"socket.io client bundle not installed on this gateway; see PULSE_CLIENT_DIST"})");
        });
    }
}

}  // namespace pulse::app
