#include "core/fd_tls_stream.hpp"

#include <cerrno>
#include <new>

namespace bwvoice::detail {
namespace net = boost::asio;

FdTlsStream::FdTlsStream(const executor_type& ex, net::ssl::context& ctx)
    : socket_(ex), ssl_(::SSL_new(ctx.native_handle())) {
    if (!ssl_) throw std::bad_alloc();
    // write_some semantics: a partial write is a success, and the buffer
    // may move between tries (Beast's serializer hands the same bytes again,
    // not necessarily at the same address).
    ::SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

FdTlsStream::~FdTlsStream() {
    ::SSL_free(ssl_);  // the socket BIO does not own the descriptor: socket_ closes it
}

boost::system::error_code FdTlsStream::attach() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) return ec;
    if (::SSL_set_fd(ssl_, socket_.native_handle()) != 1)
        return {static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()};
    ::SSL_set_connect_state(ssl_);
    return {};
}

FdTlsStream::Step FdTlsStream::attempt(Op op, net::mutable_buffer buffer) noexcept {
    ::ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    int r = 0;
    switch (op) {
    case Op::handshake: r = ::SSL_do_handshake(ssl_); break;
    case Op::read: r = ::SSL_read_ex(ssl_, buffer.data(), buffer.size(), &n); break;
    case Op::write: r = ::SSL_write_ex(ssl_, buffer.data(), buffer.size(), &n); break;
    }
    if (r == 1) return {Step::Kind::done, n};
    const int saved_errno = errno;
    switch (::SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ: return {Step::Kind::want_read};
    case SSL_ERROR_WANT_WRITE: return {Step::Kind::want_write};
    case SSL_ERROR_ZERO_RETURN: return {Step::Kind::failed, 0, net::error::eof};  // close_notify
    case SSL_ERROR_SYSCALL: {
        if (const unsigned long e = ::ERR_get_error())
            return {Step::Kind::failed, 0, {static_cast<int>(e), net::error::get_ssl_category()}};
        if (saved_errno != 0)
            return {Step::Kind::failed, 0, {saved_errno, boost::system::system_category()}};
        // The peer closed without close_notify (OpenSSL 1.1's report of it).
        return {Step::Kind::failed, 0, net::ssl::error::stream_truncated};
    }
    default: {
        const unsigned long e = ::ERR_get_error();
        // As asio's engine reports it: a TCP close in the middle of the TLS
        // stream (OpenSSL 3's report of it) is stream_truncated.
        if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            return {Step::Kind::failed, 0, net::ssl::error::stream_truncated};
        return {Step::Kind::failed, 0, {static_cast<int>(e), net::error::get_ssl_category()}};
    }
    }
}

}  // namespace bwvoice::detail
