// One keep-alive HTTP/1.1 connection of the pool, over TLS or (when allowed) plain TCP.
#ifndef BWVOICE_SRC_CLIENT_CONNECTION_HPP
#define BWVOICE_SRC_CLIENT_CONNECTION_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bwvoice::detail {

/// Beast's TLS stream over its TCP stream. Kept behind an alias because Beast
/// deprecates beast::ssl_stream in favour of asio::ssl::stream after 1.81.
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using plain_stream = boost::beast::tcp_stream;

/// Deadlines are not set on the tcp_stream: Beast runs that timer on the
/// stream's executor, which is not the strand of the lookup using the
/// connection at the moment. Each lookup bounds its I/O with its own timers
/// and abort() instead.
class Connection {
public:
    /// A fresh connection; `ssl_ctx` null means plain TCP. A TLS stream is
    /// never reused for another TCP connection: a new Connection is made.
    Connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* ssl_ctx);

    bool is_tls() const noexcept { return tls_.has_value(); }
    tls_stream& tls() { return *tls_; }
    plain_stream& plain() { return *plain_; }
    boost::beast::tcp_stream& tcp();

    /// Closes the socket at once: pending operations complete with
    /// operation_aborted. No TLS close_notify is sent (see docs/design.md).
    void abort() noexcept;

    /// For a connection that sat idle: false if the server has closed it or
    /// sent something unasked (a 408, say), either of which makes it unusable.
    /// One non-blocking peek at the socket; nothing is consumed.
    bool idle_peer_silent() noexcept;

    /// Read buffer kept across responses: bytes the server sent after one
    /// response belong to the next.
    boost::beast::flat_buffer buffer;
    /// The last response's body; kept so its capacity is reused.
    std::string body;
    /// Completed exchanges; > 0 means the connection has been reused.
    std::uint64_t exchanges = 0;
    /// When it last went back to the pool.
    std::chrono::steady_clock::time_point idle_since{};
    /// Whether the TLS session has been offered to the client's session cache.
    bool session_remembered = false;

private:
    std::optional<tls_stream> tls_;
    std::optional<plain_stream> plain_;
};

using ConnectionPtr = std::unique_ptr<Connection>;

}  // namespace bwvoice::detail

#endif
