// pulse-bench: the project's load generator and write-floor probe. See bench/RESULTS.md.
#include <cstring>
#include <iostream>

#include <pulse/config_table.hpp>

#include "floor/connect_floor.hpp"
#include "floor/write_floor.hpp"
#include "load/cli_args.hpp"
#include "load/load_run.hpp"

namespace {
constexpr const char* kUsage =
    "usage: pulse-bench load --url HOST:PORT --connections N --room-size K\n"
    "                        --inject http|bus|none [--http HOST:PORT[,HOST:PORT]] [--bus-bind "
    "tcp://...]\n"
    "                        [--rate EVENTS_PER_S|max] [--duration S] [--max-events E]\n"
    "                        [--window DELIVERIES] [--threads T] [--server NAME=PID|NAME+=PID]...\n"
    "                        [--label KEY=VALUE]... [--strict]\n"
    "       pulse-bench write-floor [--connections N] [--rounds R] [--bytes B]\n"
    "                               [--frames-per-write F]\n"
    "       pulse-bench connect-floor-server [--host H] [--port P]\n";
}

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--help") == 0) {
        std::cout << kUsage;
        return 0;
    }
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "pulse-bench " << pulse::config::version() << "\n";
        return 0;
    }
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        if (std::strcmp(argv[1], "load") == 0) return pulse::bench::run_load(argc, argv);
        if (std::strcmp(argv[1], "write-floor") == 0)
            return pulse::bench::run_write_floor(argc, argv);
        if (std::strcmp(argv[1], "connect-floor-server") == 0)
            return pulse::bench::run_connect_floor_server(argc, argv);
        std::cerr << "pulse-bench: unknown mode '" << argv[1] << "'\n" << kUsage;
        return 2;
    } catch (const pulse::bench::UsageError& e) {
        std::cerr << "pulse-bench: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "pulse-bench: " << e.what() << "\n";
        return 2;
    }
}
