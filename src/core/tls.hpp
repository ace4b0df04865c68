// TLS trust and per-connection verification for the client.
#ifndef BWVOICE_SRC_CLIENT_TLS_HPP
#define BWVOICE_SRC_CLIENT_TLS_HPP

#include <bwvoice/config.hpp>
#include <bwvoice/error.hpp>

#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bwvoice::detail {

/// The caller's context, or a new one trusting the system store and the
/// configured extra CAs, TLS 1.2 or newer. Throws std::system_error (with the
/// errno) naming the field and path when TlsConfig::extra_ca_file cannot be
/// opened or read, and std::invalid_argument naming the field when a CA file
/// or PEM holds no usable certificate, or when a caller's context has an
/// X509_STORE that replaces steps of chain verification (which verify_peer
/// could not then vouch for).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsConfig& config);

/// Readies one connection's SSL object: SNI (for host names), host-name or IP
/// verification against `host`, peer verification forced on and TLS 1.2 as the
/// oldest version, whatever the context says. Returns an error in the SSL
/// category if OpenSSL refuses.
error_code prepare_tls_connection(SSL* ssl, const std::string& host);

/// The client's own verification of a connection whose handshake has
/// completed, to run before any byte is written on it: the peer's chain
/// against the context's trust store and its name against `host`, with
/// OpenSSL's defaults for a TLS server certificate and nothing the context
/// configured (verify callbacks, cert-verify callback, verify flags such as
/// X509_V_FLAG_PARTIAL_CHAIN or X509_V_FLAG_NO_CHECK_TIME). The handshake's
/// own check follows the context and so may have been switched off by it.
/// On failure, sets the SSL's verify result to the X509_V_ERR reason (for
/// SSL_get_verify_result) and returns SSL_R_CERTIFICATE_VERIFY_FAILED in the
/// SSL category, as a failed handshake would.
error_code verify_peer(SSL* ssl, const std::string& host);

/// Resumable sessions of the client, each offered to one new connection only
/// so that reconnects skip the full handshake without reusing a TLS 1.3
/// ticket (RFC 8446, appendix C.4). Thread-safe.
class SessionCache {
public:
    /// Most sessions kept; when full, the oldest is dropped. One per pooled
    /// connection at the default pool size: a reconnect wave larger than that
    /// does some full handshakes, whose sessions then refill the cache.
    static constexpr std::size_t capacity = 16;

    SessionCache() = default;
    SessionCache(const SessionCache&) = delete;
    SessionCache& operator=(const SessionCache&) = delete;
    ~SessionCache();

    /// Hands the newest session, if any, to a connection about to handshake
    /// and forgets it.
    void offer(SSL* ssl);
    /// Keeps the connection's session if it can be resumed and is not the
    /// very session offered to this connection (a server that sent no fresh
    /// ticket would otherwise get the same one again).
    void remember(SSL* ssl);

private:
    std::mutex mutex_;
    std::vector<SSL_SESSION*> sessions_;  // oldest first
};

}  // namespace bwvoice::detail

#endif
