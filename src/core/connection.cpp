#include "core/connection.hpp"

#include <openssl/ssl.h>

#include <sys/socket.h>
#include <cerrno>
#include <new>

namespace bwvoice::detail {

Connection::Connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* ssl_ctx,
                       std::uint32_t max_header_bytes) {
    // Before reserve(), which would raise a smaller maximum to what it reserves.
    buffer.max_size(read_buffer_limit(max_header_bytes));
    buffer.reserve(ordinary_read_buffer);
    if (ssl_ctx)
        tls_.emplace(ex, *ssl_ctx);
    else
        plain_.emplace(ex);
}

boost::asio::ip::tcp::socket& Connection::socket() {
    return tls_ ? tls_->socket() : plain_->socket();
}

void Connection::abort() noexcept {
    boost::system::error_code ignored;
    // OpenSSL marks the session of an SSL freed without a shutdown as not
    // resumable, and the client's SessionCache shares that session object.
    // Pooled connections are dropped without close_notify on purpose (see
    // docs/design.md), so say the shutdown happened and keep resumption.
    if (tls_) ::SSL_set_shutdown(tls_->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
}

}  // namespace bwvoice::detail

namespace bwvoice::detail {

void Connection::release_large_buffers() {
    if (body.capacity() > kept_buffer_capacity) std::string().swap(body);
    if (request.capacity() > kept_buffer_capacity) std::string().swap(request);
    // A pooled connection's buffer is empty (bytes after a response retire
    // the connection), so nothing is lost; check anyway rather than assume.
    if (buffer.capacity() >= http_read_chunk && buffer.size() == 0) {
        buffer.shrink_to_fit();  // frees it: nothing to keep
        // The response has been delivered: failing to allocate now must not
        // turn it into an error. An empty buffer still reads (Beast asks for
        // at least 512 bytes), it just allocates then.
        try {
            buffer.reserve(ordinary_read_buffer);
        } catch (const std::bad_alloc&) {}
    }
}

bool Connection::peer_silent() noexcept {
    if (buffer.size() != 0) return false;
    if (tls_ && exchanges > 0) {
        SSL* ssl = tls_->native_handle();
        // OpenSSL reads the socket itself: what it has read and not handed
        // over is in its record layer (or, once read, a close or error the
        // stream holds for its next read); the rest is still in the socket.
        if (tls_->failure_pending() || ::SSL_has_pending(ssl) != 0) return false;
    }
    char byte;
    const auto n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    // Bytes (n > 0) on a TLS connection that has answered nothing yet are the
    // handshake's aftermath (session tickets), not an answer; 0 is a close.
    // Plain HTTP has no such thing: bytes there are an answer nobody asked for.
    return n > 0 && exchanges == 0 && is_tls();
}

}  // namespace bwvoice::detail
