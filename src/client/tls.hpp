// TLS trust and per-connection verification for the client.
#ifndef BWVOICE_SRC_CLIENT_TLS_HPP
#define BWVOICE_SRC_CLIENT_TLS_HPP

#include <bwvoice/config.hpp>
#include <bwvoice/error.hpp>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace bwvoice::detail {

/// The caller's context, or a new one trusting the system store and the
/// configured extra CAs, TLS 1.2 or newer. Throws std::invalid_argument naming
/// the field when a CA file or PEM cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsConfig& config);

/// Readies one connection's SSL object: SNI (for host names), host-name or IP
/// verification against `host`, and peer verification forced on whatever the
/// context says. Returns an error in the SSL category if OpenSSL refuses.
error_code prepare_tls_connection(SSL* ssl, const std::string& host);

/// One resumable session per client, offered to each new connection so that
/// reconnects skip the full handshake. Thread-safe.
class SessionCache {
public:
    SessionCache() = default;
    SessionCache(const SessionCache&) = delete;
    SessionCache& operator=(const SessionCache&) = delete;
    ~SessionCache();

    /// Offers the cached session, if any, to a connection about to handshake.
    void offer(SSL* ssl);
    /// Keeps the connection's session if it can be resumed.
    void remember(SSL* ssl);

private:
    std::mutex mutex_;
    SSL_SESSION* session_ = nullptr;
};

}  // namespace bwvoice::detail

#endif
