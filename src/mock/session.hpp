// One accepted connection of the mock server.
#ifndef BWVOICE_MOCK_SESSION_HPP
#define BWVOICE_MOCK_SESSION_HPP

#include "mock/state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>

namespace bwvoice::mock::detail {

/// From TLS handshake (when `tls` is set) to close: read a request, answer it
/// normally or as scripted, and repeat while the connection stays alive.
boost::asio::awaitable<void> serve_connection(ServerState& state, boost::asio::ssl::context* tls,
                                              boost::asio::ip::tcp::socket socket, std::uint64_t connection_id);

}  // namespace bwvoice::mock::detail

#endif
