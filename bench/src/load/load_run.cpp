#include "load_run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "../core/percentiles.hpp"
#include "../core/proc_stats.hpp"
#include "../core/strkey_gen.hpp"
#include "bus_injector.hpp"
#include "cli_args.hpp"
#include "client_pool.hpp"
#include "http_injector.hpp"
#include "server_monitor.hpp"

namespace pulse::bench {
namespace {

using nlohmann::json;

void split_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw UsageError("expected HOST:PORT, got '" + text + "'");
    host = text.substr(0, colon);
    const int p = std::atoi(text.c_str() + colon + 1);
    if (p <= 0 || p > 65535) throw UsageError("bad port in '" + text + "'");
    port = static_cast<std::uint16_t>(p);
}

double own_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

double seconds_between(std::uint64_t from_ns, std::uint64_t to_ns) {
    return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0;
}

double round3(double v) {
    return std::round(v * 1000) / 1000;
}

void sleep_ms(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

int run_load(int argc, char** argv) {
    const CliArgs args(argc, argv, 2,
                       {"target",
                        "url",
                        "connections",
                        "room-size",
                        "inject",
                        "http",
                        "http-connections",
                        "bus-bind",
                        "rate",
                        "duration",
                        "max-events",
                        "window",
                        "threads",
                        "source-addresses",
                        "handshakes-in-flight",
                        "server",
                        "connect-timeout",
                        "drain-timeout",
                        "warmup",
                        "label",
                        "seed",
                        "subscribe-timeout"},
                       {"strict"});
    PoolConfig pool;
    split_host_port(args.str("url", "127.0.0.1:3000"), pool.host, pool.port);
    pool.connections = static_cast<std::uint32_t>(args.number("connections", 100, 2, 1e6));
    const auto room_size = static_cast<std::uint32_t>(args.number("room-size", 2, 1, 1e6));
    pool.rooms = std::max<std::uint32_t>(2, pool.connections / room_size);
    pool.threads = static_cast<unsigned>(args.number("threads", 1, 1, 64));
    pool.source_addresses = static_cast<unsigned>(args.number("source-addresses", 8, 1, 250));
    pool.handshakes_in_flight =
        static_cast<unsigned>(args.number("handshakes-in-flight", 256, 1, 100000));
    const auto seed = static_cast<std::uint64_t>(args.number("seed", 1, 0, 1e15));
    for (std::uint32_t r = 0; r < pool.rooms; ++r)
        pool.room_addresses.push_back(bench_address(seed, r));

    const std::string inject = args.str("inject", "http");
    // "none": connect and join only (the connect+join figures, e.g. against the connect floor).
    if (inject != "http" && inject != "bus" && inject != "none")
        throw UsageError("--inject is http, bus or none");
    Pacing pacing;
    const std::string rate = args.str("rate", "100");
    pacing.max_rate = rate == "max";
    if (!pacing.max_rate) pacing.rate = args.number("rate", 100, 0.1, 1e7);
    pacing.duration_s = args.number("duration", 5, 0.1, 3600);
    pacing.max_events = static_cast<std::uint64_t>(args.number("max-events", 0, 0, 1e12));
    pacing.window_deliveries = static_cast<std::uint64_t>(args.number("window", 20000, 1, 1e9));
    const double connect_timeout = args.number("connect-timeout", 120, 1, 3600);
    const double drain_timeout = args.number("drain-timeout", 20, 0.5, 600);
    const double warmup_s = args.number("warmup", 0, 0, 600);
    std::uint64_t delivered_before = 0;

    std::vector<ServerProcess> servers;
    for (const auto& s : args.all("server")) {
        const auto eq = s.find('=');
        if (eq == std::string::npos)
            throw UsageError("--server is NAME=PID or NAME+=PID (with children)");
        // NAME+=PID: the process and its direct children (a PostgreSQL postmaster).
        std::string name = s.substr(0, eq);
        const bool tree = !name.empty() && name.back() == '+';
        if (tree) name.pop_back();
        servers.push_back({name, static_cast<pid_t>(std::atoi(s.c_str() + eq + 1)), tree});
    }
    ServerMonitor monitor(servers);

    // Injectors first: the gateway must already be subscribed before the clients join.
    std::unique_ptr<HttpInjector> http;
    std::unique_ptr<BusInjector> bus;
    std::string error;
    if (inject == "http") {
        // --http HOST:PORT[,HOST:PORT...]: several lifecycle instances share the connections.
        std::vector<HttpEndpoint> endpoints;
        const std::string list = args.str("http", args.str("url", "127.0.0.1:3000"));
        for (std::size_t at = 0; at <= list.size();) {
            const std::size_t comma = std::min(list.find(',', at), list.size());
            HttpEndpoint e;
            split_host_port(list.substr(at, comma - at), e.host, e.port);
            endpoints.push_back(std::move(e));
            at = comma + 1;
        }
        http = std::make_unique<HttpInjector>(
            std::move(endpoints),
            static_cast<unsigned>(args.number("http-connections", 8, 1, 1000)));
        if (!http->connect(error)) {
            std::cerr << "pulse-bench: " << error << "\n";
            return 2;
        }
    } else if (inject == "bus") {
        bus = std::make_unique<BusInjector>(args.str("bus-bind", "tcp://127.0.0.1:5556"));
        if (!bus->bind(error) ||
            !bus->wait_for_subscriber(args.number("subscribe-timeout", 15, 0.1, 600), error)) {
            std::cerr << "pulse-bench: " << error << "\n";
            return 2;
        }
    }

    const auto rss_idle = monitor.rss_kb();
    const auto cpu_before_connect = monitor.cpu_seconds();
    const double gen_before_connect = own_cpu_seconds();
    monitor.start_sampling();

    ClientPool clients(pool);
    const auto cores_before_connect = read_core_ticks();
    const std::uint64_t connect_start = monotonic_ns();
    clients.start();
    const auto connect_deadline = connect_start + static_cast<std::uint64_t>(connect_timeout * 1e9);
    while (clients.joined() + clients.failed() < pool.connections &&
           monotonic_ns() < connect_deadline) {
        sleep_ms(5);
    }
    const std::uint64_t joined = clients.joined();
    const double connect_s = seconds_between(connect_start, clients.last_join_ns());
    // Whole-core busy shares while connecting (softirq and other processes included): says
    // whether a core was saturated when no process's own CPU figure shows it.
    const auto cores_connecting = core_busy_shares(cores_before_connect, read_core_ticks());
    sleep_ms(300);  // let the servers settle (allocations after the last join) before measuring
    const auto rss_connected = monitor.rss_kb();
    const auto cpu_after_connect = monitor.cpu_seconds();
    const double gen_after_connect = own_cpu_seconds();

    EventBook book;
    book.reset(pool.room_addresses, clients.room_sizes());
    // Counted from the start of the current phase (the warm-up's deliveries are not outstanding).
    pacing.delivered = [&clients, &delivered_before] {
        return clients.deliveries() - delivered_before;
    };
    // Inject, then drain: until everything expected arrived, or nothing came for 3 s (losses).
    auto inject_and_drain = [&](const Pacing& p) {
        if (http) {
            http->run(p, book);
        } else if (bus) {
            bus->run(p, book);
        }
        std::uint64_t last_seen = clients.deliveries();
        std::uint64_t last_progress = monotonic_ns();
        const std::uint64_t end = monotonic_ns() + static_cast<std::uint64_t>(drain_timeout * 1e9);
        while (clients.deliveries() < delivered_before + book.expected_accepted &&
               monotonic_ns() < end) {
            sleep_ms(5);
            const auto now_seen = clients.deliveries();
            if (now_seen != last_seen) {
                last_seen = now_seen;
                last_progress = monotonic_ns();
            } else if (monotonic_ns() - last_progress > 3'000'000'000ULL) {
                break;
            }
        }
        sleep_ms(200);  // late duplicates still count as duplicates
    };
    // Warm-up (JIT, allocator pools, TCP windows): same pacing, measured by nothing.
    DeliveryCounts before;
    const bool injecting = inject != "none";
    if (warmup_s > 0 && joined > 0 && injecting) {
        clients.set_recording(false);
        Pacing warm = pacing;
        warm.duration_s = warmup_s;
        warm.max_events = 0;
        inject_and_drain(warm);
        before = clients.counts();
        delivered_before = before.deliveries;
        book.start_new_phase();
        clients.set_recording(true);
    }
    const auto cpu0 = monitor.cpu_seconds();
    const double gen0 = own_cpu_seconds();
    const std::uint64_t inject_start = monotonic_ns();
    if (joined > 0 && injecting) inject_and_drain(pacing);
    const std::uint64_t inject_end = monotonic_ns();
    const auto cpu1 = monitor.cpu_seconds();
    const double gen1 = own_cpu_seconds();
    const auto rss_peak = monitor.stop_sampling();
    PoolTotals totals = clients.stop();
    totals.deliveries -= before.deliveries;
    totals.unique -= before.unique;
    totals.duplicated -= before.duplicated;
    totals.misrouted -= before.misrouted;
    totals.corrupt -= before.corrupt;

    const LatencySummary lat = summarize_latency(totals.latency_ns);
    const std::uint64_t expected = book.expected_accepted;
    const std::uint64_t lost = expected > totals.unique ? expected - totals.unique : 0;
    const double active_s =
        seconds_between(book.first_send_ns, std::max(totals.last_delivery_ns, book.last_send_ns));
    const double inject_wall_s = seconds_between(inject_start, inject_end);

    json out;
    out["bench"] = "pulse-load";
    out["target"] = args.str("target", "unnamed");
    out["inject"] = inject;
    out["room_size"] = room_size;
    out["rooms"] = pool.rooms;
    out["rate"] = pacing.max_rate ? json("max") : json(pacing.rate);
    out["duration_s"] = pacing.duration_s;
    out["warmup_s"] = warmup_s;
    for (const auto& l : args.all("label")) {
        const auto eq = l.find('=');
        if (eq != std::string::npos) out[l.substr(0, eq)] = l.substr(eq + 1);
    }
    out["connections"] = pool.connections;
    out["joined"] = joined;
    out["connect_failed"] = totals.failed;
    out["connect_join_s"] = round3(connect_s);
    out["connect_join_per_s"] = connect_s > 0 ? std::round(joined / connect_s) : 0;
    out["cores_busy_while_connecting"] = json::array();
    for (double share : cores_connecting)
        out["cores_busy_while_connecting"].push_back(round3(share));
    out["events"] = {{"offered", pacing.max_rate ? book.sent : book.offered},
                     {"sent", book.sent},
                     {"accepted", book.accepted},
                     {"rejected", book.rejected}};
    out["deliveries"] = {{"expected", expected},
                         {"received", totals.unique},
                         {"lost", lost},
                         {"duplicated", totals.duplicated},
                         {"misrouted", totals.misrouted},
                         {"corrupt", totals.corrupt}};
    out["disconnected_during_run"] = totals.disconnected_after_join;
    out["latency_ms"] = {{"p50", round3(lat.p50_ms)}, {"p90", round3(lat.p90_ms)},
                         {"p99", round3(lat.p99_ms)}, {"p999", round3(lat.p999_ms)},
                         {"max", round3(lat.max_ms)}, {"samples", lat.count}};
    out["deliveries_per_s"] = active_s > 0 ? std::round(totals.unique / active_s) : 0;
    out["events_per_s"] = active_s > 0 ? std::round(book.accepted / active_s * 10) / 10 : 0;
    json srv = json::object();
    const auto& procs = monitor.servers();
    for (std::size_t i = 0; i < procs.size(); ++i) {
        const double cpu = cpu1[i] - cpu0[i];
        const double per_1k = totals.unique ? cpu / (totals.unique / 1000.0) : 0;
        const double kb_per_conn =
            joined ? (static_cast<double>(rss_connected[i]) - static_cast<double>(rss_idle[i])) /
                         joined
                   : 0;
        srv[procs[i].name] = {
            {"pid", procs[i].pid},
            {"cpu_s", round3(cpu)},
            {"cpu_core_share", inject_wall_s > 0 ? round3(cpu / inject_wall_s) : 0},
            {"cpu_s_per_1k_deliveries", std::round(per_1k * 1e5) / 1e5},
            {"cpu_us_per_delivery", round3(per_1k * 1000)},
            {"connect_cpu_s", round3(cpu_after_connect[i] - cpu_before_connect[i])},
            {"connect_cpu_us_per_connection",
             joined ? round3((cpu_after_connect[i] - cpu_before_connect[i]) / joined * 1e6) : 0},
            {"rss_kb",
             {{"idle", rss_idle[i]}, {"connected", rss_connected[i]}, {"peak", rss_peak[i]}}},
            {"kb_per_connection", round3(kb_per_conn)}};
    }
    out["servers"] = srv;
    const double gen_cpu = gen1 - gen0;
    const double gen_share = inject_wall_s > 0 ? gen_cpu / inject_wall_s : 0;
    out["generator"] = {
        {"cpu_s", round3(gen_cpu)},
        {"cpu_core_share", round3(gen_share)},
        {"threads", pool.threads},
        {"connect_cpu_s", round3(gen_after_connect - gen_before_connect)},
        {"connect_cpu_us_per_connection",
         joined ? round3((gen_after_connect - gen_before_connect) / joined * 1e6) : 0},
        // A generator near a full core of its own is measuring itself.
        {"bound", gen_share > 0.9 * pool.threads}};
    const bool clean = joined == pool.connections && lost == 0 && totals.duplicated == 0 &&
                       totals.misrouted == 0 && totals.corrupt == 0 && book.rejected == 0 &&
                       (book.sent > 0 || !injecting);
    out["correct"] = clean;
    if (!totals.first_error.empty()) out["first_client_error"] = totals.first_error;
    if (!book.first_error.empty()) out["first_inject_error"] = book.first_error;
    std::cout << out.dump() << std::endl;
    if (args.has("strict") && !clean) return 3;
    return 0;
}

}  // namespace pulse::bench
