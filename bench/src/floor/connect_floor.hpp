#pragma once
// `pulse-bench connect-floor-server`: the least a server can do for one connect+join, to put the
// gateway's connect+join rate beside the machine's own limit. A raw epoll loop on one thread that
// answers the load client's handshake with fixed bytes of the gateway's sizes: the upgrade
// request with 101 + the Engine.IO open packet (one write), "40" with the CONNECT answer, the
// join with joined-room. No SHA-1, no JSON, no parsing beyond framing: what remains is the
// kernel's TCP work (accept, 3 reads, 3 writes, the wake-ups) plus a few hundred instructions.
// Prints "listening PORT" once bound; runs until SIGTERM/SIGINT.
namespace pulse::bench {

int run_connect_floor_server(int argc, char** argv);

}  // namespace pulse::bench
