#include "client/tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace bwvoice::detail {
namespace ssl = boost::asio::ssl;

namespace {

error_code last_ssl_error() {
    return {static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category()};
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsConfig& config) {
    if (config.context) return config.context;

    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ::SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_verify_mode(ssl::verify_peer);
    if (config.use_system_store) {
        ctx->set_default_verify_paths(ec);
        if (ec) throw std::invalid_argument("TlsConfig::use_system_store: cannot load the system trust store");
    }
    if (!config.extra_ca_file.empty()) {
        ctx->load_verify_file(config.extra_ca_file, ec);
        // The path is the caller's own input; naming it helps and leaks nothing secret.
        if (ec) throw std::invalid_argument("TlsConfig::extra_ca_file: cannot load CA certificates from '" +
                                            config.extra_ca_file + "'");
    }
    if (!config.extra_ca_pem.empty()) {
        ctx->add_certificate_authority(boost::asio::buffer(config.extra_ca_pem), ec);
        if (ec) throw std::invalid_argument("TlsConfig::extra_ca_pem: not a PEM certificate");
    }
    // Client-side session caching is done by SessionCache; OpenSSL's internal
    // client cache is never consulted by OpenSSL itself.
    ::SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    return ctx;
}

error_code prepare_tls_connection(SSL* ssl, const std::string& host) {
    // Verification is forced here, per connection, so that even a caller's
    // context configured with verify_none cannot switch it off.
    // An explicit callback that returns OpenSSL's own verdict: with a null one
    // the SSL would keep a caller context's callback, which may accept anything.
    ::SSL_set_verify(ssl, SSL_VERIFY_PEER, [](int preverify_ok, X509_STORE_CTX*) { return preverify_ok; });
    boost::system::error_code addr_ec;
    auto address = boost::asio::ip::make_address(host, addr_ec);
    X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl);
    if (!addr_ec) {
        // RFC 6066 forbids IP literals in SNI; check the certificate's IP SAN instead.
        if (::X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str()) != 1) return last_ssl_error();
        return {};
    }
    if (::SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return last_ssl_error();
    ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (::SSL_set1_host(ssl, host.c_str()) != 1) return last_ssl_error();
    return {};
}

SessionCache::~SessionCache() {
    if (session_) ::SSL_SESSION_free(session_);
}

void SessionCache::offer(SSL* ssl) {
    std::lock_guard lock(mutex_);
    if (session_) ::SSL_set_session(ssl, session_);
}

void SessionCache::remember(SSL* ssl) {
    SSL_SESSION* s = ::SSL_get1_session(ssl);
    if (!s) return;
    if (!::SSL_SESSION_is_resumable(s)) {
        ::SSL_SESSION_free(s);
        return;
    }
    std::lock_guard lock(mutex_);
    if (session_) ::SSL_SESSION_free(session_);
    session_ = s;
}

}  // namespace bwvoice::detail
