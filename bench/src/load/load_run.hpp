#pragma once
// `pulse-bench load`: connect and join N clients, inject events, drain, and print one JSON line
// with every figure of the run (see bench/RESULTS.md for their meaning).
namespace pulse::bench {

// Returns the process exit code: 0, 2 for a usage/start-up error, 3 when --strict and the run
// lost, duplicated, misrouted or corrupted anything or could not connect every client.
int run_load(int argc, char** argv);

}  // namespace pulse::bench
