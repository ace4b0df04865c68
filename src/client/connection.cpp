#include "client/connection.hpp"

#include <openssl/ssl.h>

#include <cerrno>
#include <sys/socket.h>

namespace bwvoice::detail {

Connection::Connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* ssl_ctx) {
    // A response and its headers fit in the first read; larger ones grow it.
    buffer.reserve(4096);
    if (ssl_ctx) {
        tls_.emplace(ex, *ssl_ctx);
        // Asio turns on SSL_MODE_RELEASE_BUFFERS, which frees OpenSSL's record
        // buffers whenever they drain and allocates them again for the next
        // record: several large allocations per lookup on a busy connection.
        // Keeping them costs ~34 KiB per open connection, within budget.
        ::SSL_clear_mode(tls_->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    } else
        plain_.emplace(ex);
}

boost::beast::tcp_stream& Connection::tcp() {
    return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
}

void Connection::abort() noexcept {
    boost::system::error_code ignored;
    // OpenSSL marks the session of an SSL freed without a shutdown as not
    // resumable, and the client's SessionCache shares that session object.
    // Pooled connections are dropped without close_notify on purpose (see
    // docs/design.md), so say the shutdown happened and keep resumption.
    if (tls_) ::SSL_set_shutdown(tls_->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
}

}  // namespace bwvoice::detail

namespace bwvoice::detail {

bool Connection::idle_peer_silent() noexcept {
    char byte;
    const auto n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace bwvoice::detail
