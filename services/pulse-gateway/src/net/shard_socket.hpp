#pragma once
// The socket type of every accepted connection. It is bound to the io_context's own executor
// type rather than the polymorphic any_io_executor of tcp::socket: the executor is carried by the
// socket and by each pending operation for the connection's whole life, and the concrete one is
// just a pointer. Accepting straight into this type lets the engine
// take the socket over at a WebSocket upgrade as it is, with no re-registration of the descriptor.
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace pulse::net {

using ShardSocket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

}  // namespace pulse::net
