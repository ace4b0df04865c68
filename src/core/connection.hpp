// One keep-alive HTTP/1.1 connection of the pool, over TLS or (when allowed) plain TCP.
#ifndef BWVOICE_SRC_CLIENT_CONNECTION_HPP
#define BWVOICE_SRC_CLIENT_CONNECTION_HPP

#include <bwvoice/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include "core/exchange_fsm.hpp"
#include "core/fd_tls_stream.hpp"
#include "core/response_reader.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bwvoice::detail {

/// OpenSSL on the socket itself (see fd_tls_stream.hpp): no BIO pair, no
/// staging buffers, no copy of each byte through them.
using tls_stream = FdTlsStream;
using plain_stream = boost::beast::tcp_stream;

/// The most beast::http::async_read asks of the stream in one read (Boost
/// 1.81, http/impl/read.hpp: read_size(buffer, 65536)).
inline constexpr std::size_t http_read_chunk = 64 * 1024;

/// The read buffer's maximum for a given ClientConfig::max_header_bytes.
/// The parser takes body bytes out of the buffer as they arrive, whatever the
/// framing, so what stays there is one element it cannot parse in part: the
/// header (refused by the parser beyond max_header_bytes), a chunk-size line
/// with its extensions, or the trailer, plus at most one read. Beast 1.81
/// bounds neither of the last two, so this maximum does: a longer one ends
/// the read with http::error::buffer_overflow (errc::bad_response).
constexpr std::size_t read_buffer_limit(std::uint32_t max_header_bytes) noexcept {
    return std::size_t{max_header_bytes} + http_read_chunk;
}

/// Body storage a connection keeps across lookups, so that ordinary
/// responses (1-2 KiB) and list pages allocate nothing; one grown past this
/// by a large response is released when the connection goes back to the pool.
inline constexpr std::size_t kept_buffer_capacity = 64 * 1024;

/// The read buffer's capacity on a fresh connection: a response's header
/// and an ordinary body fit in one read. One grown to http_read_chunk (the
/// room a streamed body is read with) is given back when the connection goes
/// back to the pool; one grown less (a header over ~3.5 KiB) is kept, so
/// such a server costs no allocation per lookup either.
inline constexpr std::size_t ordinary_read_buffer = 4096;

/// Deadlines are not set on the tcp_stream: Beast runs that timer on the
/// stream's executor, which is not the strand of the lookup using the
/// connection at the moment. Each lookup bounds its I/O with its own timers
/// and abort() instead.
class Connection {
public:
    /// A fresh connection; `ssl_ctx` null means plain TCP. A TLS stream is
    /// never reused for another TCP connection: a new Connection is made.
    /// `max_header_bytes` (ClientConfig's) sets the read buffer's maximum; the
    /// client always passes its own, the default is for code with no config
    /// (the pool's unit test).
    Connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* ssl_ctx,
               std::uint32_t max_header_bytes = ClientConfig{}.max_header_bytes);

    bool is_tls() const noexcept { return tls_.has_value(); }
    tls_stream& tls() { return *tls_; }
    plain_stream& plain() { return *plain_; }
    /// The TCP socket, for connecting (and for tests).
    boost::asio::ip::tcp::socket& socket();

    /// Closes the socket at once: pending operations complete with
    /// operation_aborted. No TLS close_notify is sent (see docs/design.md).
    void abort() noexcept;

    /// Before each reuse: false if the server has closed the connection or
    /// sent anything since the last response (a 408, a late or duplicated
    /// response), either of which makes it unusable. Looks wherever such
    /// bytes can wait: the read buffer, OpenSSL's record layer (records and
    /// raw bytes read ahead), and the socket (one non-blocking peek); nothing
    /// is consumed. Bytes that arrive after this check are out of its sight
    /// (see docs/reliability.md: the ID in a 200 answer is checked; an
    /// unsolicited error response racing the next request cannot be told
    /// apart in HTTP/1.1).
    ///
    /// A connection that has carried no request yet is only checked for
    /// being closed: a TLS 1.3 server sends its session tickets just after
    /// the handshake, and they wait unread until the first response is read.
    bool peer_silent() noexcept;

    /// Frees `body` (and `request`) if a large response (or a large change)
    /// grew it beyond kept_buffer_capacity, so that an idle pool does not
    /// hold up to max_body_bytes per connection, and `buffer` if it grew to
    /// http_read_chunk.
    /// Smaller ones are kept as they are.
    /// Call once the response has been used, before the connection goes back.
    void release_large_buffers();

    /// Read buffer kept across responses: bytes the server sent after one
    /// response belong to the next. Its maximum is read_buffer_limit().
    boost::beast::flat_buffer buffer;
    /// The last response's body; kept so its capacity is reused.
    std::string body;
    /// The request being written, serialized here rather than by the
    /// exchange: its capacity is reused by the next request, and a queued
    /// request holds no request bytes.
    std::string request;
    /// Its ID for the metrics and the observer: its ordinal in
    /// PoolStats::connections_opened, given once TCP connects (0 before).
    std::uint64_t id = 0;
    /// Completed exchanges; > 0 means the connection has been reused.
    std::uint64_t exchanges = 0;
    /// When it last went back to the pool.
    std::chrono::steady_clock::time_point idle_since{};
    /// Whether the TLS session has been offered to the client's session cache.
    bool session_remembered = false;
    /// The response being read by an exchange's plain-handler round trip,
    /// here rather than in the exchange: a queued exchange holds no parser.
    std::optional<ResponseReader> reader;
    ResponseOutcome outcome;

private:
    std::optional<tls_stream> tls_;
    std::optional<plain_stream> plain_;
};

using ConnectionPtr = std::unique_ptr<Connection>;

}  // namespace bwvoice::detail

#endif
