#pragma once
// `pulse-bench write-floor`: the kernel's price of one small write on loopback. N connected
// socket pairs; each round writes one frame of `bytes` to every sending socket and measures the
// writing thread's CPU time for those writes only; the receiving ends are drained afterwards, off
// the clock. On loopback the sender's write() also runs the receiver's TCP input path, so this is
// the floor for "one write per delivery" that a gateway cannot beat without coalescing.
namespace pulse::bench {

int run_write_floor(int argc, char** argv);

}  // namespace pulse::bench
