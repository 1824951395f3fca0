// The gateway's static answers: ETag revalidation (http/static_file), the socket.io-client bundle
// loader (app/client_bundle), the console switch (app/console_page), and that an exact route wins
// over the Engine.IO mount on the same prefix (http/router).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/client_bundle.hpp"
#include "app/console_page.hpp"
#include "http/endpoint.hpp"
#include "http/router.hpp"
#include "http/static_file.hpp"

using namespace pulse;

namespace {

std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return "<absent>";
}

http::Request get(std::string path, std::string if_none_match = {}) {
    http::Request r;
    r.method = "GET";
    r.target = path;
    r.path = std::move(path);
    if (!if_none_match.empty()) r.headers.emplace_back("if-none-match", std::move(if_none_match));
    return r;
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "pulse-bundle-XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::filesystem::create_directories((path / name).parent_path());
        std::ofstream(path / name, std::ios::binary) << text;
    }
};

}  // namespace

TEST_CASE("If-None-Match matching", "[static]") {
    CHECK(http::etag_matches("\"4.8.4\"", "\"4.8.4\""));
    CHECK(http::etag_matches("W/\"4.8.4\"", "\"4.8.4\""));
    CHECK(http::etag_matches("\"a\", W/\"4.8.4\" ,\"b\"", "\"4.8.4\""));
    CHECK(http::etag_matches("*", "\"4.8.4\""));
    CHECK_FALSE(http::etag_matches("\"4.8.3\"", "\"4.8.4\""));
    CHECK_FALSE(http::etag_matches("4.8.4", "\"4.8.4\""));
    CHECK_FALSE(http::etag_matches("", "\"4.8.4\""));
    CHECK_FALSE(http::etag_matches("\"4.8.4\"", ""));
    CHECK_FALSE(http::etag_matches(",,", "\"x\""));
}

TEST_CASE("a static file: 200 with its headers, 304 when revalidated", "[static]") {
    http::StaticFile file{"console.log(1)",
                          "application/javascript; charset=utf-8",
                          "\"1.0\"",
                          "public, max-age=0",
                          {{"X-Content-Type-Options", "nosniff"}}};
    auto ok = http::serve_static(get("/x.js"), file);
    CHECK(ok.status == 200);
    CHECK(ok.body == "console.log(1)");
    CHECK(ok.content_type == "application/javascript; charset=utf-8");
    CHECK(header(ok, "ETag") == "\"1.0\"");
    CHECK(header(ok, "Cache-Control") == "public, max-age=0");
    CHECK(header(ok, "X-Content-Type-Options") == "nosniff");

    auto same = http::serve_static(get("/x.js", "\"1.0\""), file);
    CHECK(same.status == 304);
    CHECK(same.body.empty());
    CHECK(same.content_type.empty());
    CHECK(header(same, "ETag") == "\"1.0\"");

    auto other = http::serve_static(get("/x.js", "\"0.9\""), file);
    CHECK(other.status == 200);
    CHECK(other.body == "console.log(1)");
}

TEST_CASE("the client bundle is read from a socket.io-client package folder", "[static]") {
    TempDir dir;
    dir.write("package.json", R"({"name":"socket.io-client","version":"9.9.9"})");
    dir.write("dist/socket.io.js", "full");
    dir.write("dist/socket.io.min.js", "min");
    dir.write("dist/socket.io.min.js.map", "{\"map\":1}");
    dir.write("dist/socket.io.esm.min.js", "export{}");
    auto bundle = app::load_client_bundle(dir.path.string());
    REQUIRE(bundle.problem.empty());
    CHECK(bundle.version == "9.9.9");
    CHECK(bundle.files.size() == 4);

    http::Router router;
    app::install_client_bundle(router, bundle);
    auto min = router.handle(get("/socket.io/socket.io.min.js"));
    CHECK(min.status == 200);
    CHECK(min.body == "min");
    CHECK(header(min, "ETag") == "\"9.9.9\"");
    CHECK(router.handle(get("/socket.io/socket.io.min.js.map")).content_type ==
          "application/json; charset=utf-8");
    CHECK(router.handle(get("/socket.io/socket.io.esm.min.js", "W/\"9.9.9\"")).status == 304);
    // A file the package lacks: 404 JSON, not the Engine.IO server.
    auto missing = router.handle(get("/socket.io/socket.io.msgpack.min.js"));
    CHECK(missing.status == 404);
    CHECK(missing.body.find("\"error\"") != std::string::npos);
}

TEST_CASE("a missing or foreign bundle folder is reported, never thrown", "[static]") {
    CHECK(app::load_client_bundle("").problem == "PULSE_CLIENT_DIST is not set");
    CHECK(app::load_client_bundle("/nonexistent/pulse").problem.find("no package.json") == 0);
    TempDir other;
    other.write("package.json", R"({"name":"left-pad","version":"1.0.0"})");
    other.write("dist/socket.io.js", "x");
    CHECK(app::load_client_bundle(other.path.string()).problem.find("is not socket.io-client's") !=
          std::string::npos);
    TempDir empty;
    empty.write("package.json", R"({"name":"socket.io-client","version":"4.8.4"})");
    auto none = app::load_client_bundle(empty.path.string());
    CHECK(none.problem.find("no socket.io client bundle") == 0);
    CHECK(none.files.empty());

    http::Router router;
    app::install_client_bundle(router, none);
    for (const auto& name : app::client_bundle_file_names())
        CHECK(router.handle(get("/socket.io/" + name)).status == 404);
}

TEST_CASE("exact routes win over a mounted prefix", "[static]") {
    struct NullEndpoint : http::Endpoint {
        std::size_t body_limit() const override { return 0; }
        void handle_request(std::size_t, http::Request, std::shared_ptr<http::Reply>) override {}
        void handle_oversized(std::size_t, http::Request, std::shared_ptr<http::Reply>) override {}
        void handle_upgrade(std::size_t, http::Request, net::ShardSocket) override {}
        void request_aborted(std::string_view, const http::Reply*) override {}
    } engine;
    http::Router router;
    router.mount("/socket.io/", engine);
    CHECK(router.endpoint_for("/socket.io/socket.io.js") == &engine);
    app::install_client_bundle(router, app::ClientBundle{});
    CHECK(router.endpoint_for("/socket.io/socket.io.js") == nullptr);
    CHECK(router.endpoint_for("/socket.io/") == &engine);
    CHECK(router.endpoint_for("/socket.io/socket.io.jsx") == &engine);
}

TEST_CASE("the console is served only when enabled", "[static]") {
    http::Router off;
    app::install_console(off, false);
    auto closed = off.handle(get("/console"));
    CHECK(closed.status == 404);
    CHECK(closed.body.find("PULSE_CONSOLE=on") != std::string::npos);

    http::Router on;
    app::install_console(on, true);
    auto page = on.handle(get("/console"));
    CHECK(page.status == 200);
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(page.body == std::string(app::console_html()));
    CHECK(page.body.find("<title>Pulse console</title>") != std::string::npos);
    CHECK(header(page, "Content-Security-Policy").find("connect-src 'self'") != std::string::npos);
    CHECK(on.handle(get("/console", header(page, "ETag"))).status == 304);

    // Script and style are files of their own, so the policy needs no 'unsafe-inline'.
    CHECK(header(page, "Content-Security-Policy").find("unsafe-inline") == std::string::npos);
    CHECK(page.body.find("<script>") == std::string::npos);
    CHECK(page.body.find("<style>") == std::string::npos);
    CHECK(page.body.find("style=") == std::string::npos);
    auto script = on.handle(get("/console/console.js"));
    CHECK(script.status == 200);
    CHECK(script.content_type == "application/javascript; charset=utf-8");
    CHECK(script.body == std::string(app::console_script()));
    CHECK(page.body.find("src=\"console/console.js\"") != std::string::npos);
    auto style = on.handle(get("/console/console.css"));
    CHECK(style.status == 200);
    CHECK(style.content_type == "text/css; charset=utf-8");
    CHECK(style.body == std::string(app::console_style()));
    CHECK(page.body.find("href=\"console/console.css\"") != std::string::npos);
    CHECK(header(style, "ETag") != header(script, "ETag"));
    CHECK(off.handle(get("/console/console.js")).status == 404);
}
