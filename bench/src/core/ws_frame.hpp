#pragma once
// The slice of RFC 6455 a load client needs: masked client frames out, unmasked server frames in;
// and the mirror image for the connect-floor server (unmasked out, masked in). Pure functions
// over byte buffers so that the epoll loops stay loops and this stays testable.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pulse::bench::ws {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Appends one complete (FIN) client frame to `out`. Clients must mask (RFC 6455 5.3).
void append_client_frame(std::string& out, Opcode opcode, std::string_view payload,
                         std::array<std::uint8_t, 4> mask);

// Appends one complete (FIN) server frame to `out`: unmasked.
void append_server_frame(std::string& out, Opcode opcode, std::string_view payload);

struct FrameHeader {
    enum class Status { need_more, ok, error } status = Status::need_more;
    bool fin = false;
    Opcode opcode = Opcode::text;
    std::size_t header_size = 0;  // masking key included: the payload starts here
    std::size_t payload_size = 0;
    const char* error = nullptr;
};

// Reads the header of the server frame at the start of `data`. `ok` means header *and* payload
// are complete in `data`. Servers must not mask; a masked frame or a 64-bit length with the top
// bit set is an error; `max_payload` bounds what we are willing to buffer.
FrameHeader parse_server_frame(std::string_view data, std::size_t max_payload);
// The same for a client frame, which must be masked.
FrameHeader parse_client_frame(std::string_view data, std::size_t max_payload);
// The unmasked payload of the complete client frame `h` at the start of `data`.
std::string client_payload(std::string_view data, const FrameHeader& h);

// The client's opening handshake for Engine.IO v4 over a direct WebSocket.
std::string upgrade_request(std::string_view host_port, std::string_view path_and_query);

// Given the bytes received so far, the size of the HTTP response head (through CRLFCRLF), 0 while
// incomplete. `switched` says whether it is "HTTP/1.1 101".
std::size_t response_head_size(std::string_view data, bool& switched);

}  // namespace pulse::bench::ws
