#include "core/tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace bwvoice::detail {
namespace ssl = boost::asio::ssl;

namespace {

/// The weakest keys and signatures accepted in the peer's chain (OpenSSL
/// security level 2: 112-bit security, RSA 2048, no SHA-1). Debian's default
/// for every context; a caller's context may ask for more, never for less.
constexpr int min_auth_level = 2;

/// Far larger than any CA bundle (Debian's is ~200 KiB): reading stops here
/// rather than exhaust memory on a device or a wrong path.
constexpr std::size_t max_trust_file_bytes = 16u << 20;

error_code last_ssl_error() {
    // Some calls (X509_VERIFY_PARAM_set1_host with an embedded NUL) fail
    // without queuing an error: never turn a failure into success.
    const unsigned long e = ::ERR_get_error();
    return {static_cast<int>(e != 0 ? e : ERR_PACK(ERR_LIB_SSL, 0, ERR_R_INTERNAL_ERROR)),
            boost::asio::error::get_ssl_category()};
}

/// What a handshake whose certificate check failed reports, so that callers
/// (errc_for_transport, Diagnostics) treat both failures alike.
error_code certificate_verify_failed() {
    return {static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED)),
            boost::asio::error::get_ssl_category()};
}

/// The first step of chain verification `store` replaces, or null. These hooks
/// run inside X509_verify_cert with the store's trust in hand, so one of them
/// could accept any chain: verify_peer cannot neutralise them (OpenSSL has no
/// per-X509_STORE_CTX setters for most), hence such a store is refused. The
/// store's verify callback is not listed: verify_peer replaces it.
const char* replaced_verification_step(X509_STORE* store) {
    if (::X509_STORE_get_verify(store)) return "verify";
    if (::X509_STORE_get_get_issuer(store)) return "get_issuer";
    if (::X509_STORE_get_check_issued(store)) return "check_issued";
    if (::X509_STORE_get_check_revocation(store)) return "check_revocation";
    if (::X509_STORE_get_get_crl(store)) return "get_crl";
    if (::X509_STORE_get_check_crl(store)) return "check_crl";
    if (::X509_STORE_get_cert_crl(store)) return "cert_crl";
    if (::X509_STORE_get_check_policy(store)) return "check_policy";
    if (::X509_STORE_get_lookup_certs(store)) return "lookup_certs";
    if (::X509_STORE_get_lookup_crls(store)) return "lookup_crls";
    if (::X509_STORE_get_cleanup(store)) return "cleanup";
    return nullptr;
}

/// The store the handshake verifies the peer against, as OpenSSL picks it:
/// a separate verify store if one was set (SSL_CTX_set1_verify_cert_store),
/// else the certificate store.
X509_STORE* trust_store_of(SSL_CTX* ctx) {
    X509_STORE* store = nullptr;
    if (::SSL_CTX_get0_verify_cert_store(ctx, &store) == 1 && store) return store;
    return ::SSL_CTX_get_cert_store(ctx);
}

X509_STORE* trust_store_of(SSL* ssl) {
    X509_STORE* store = nullptr;
    if (::SSL_get0_verify_cert_store(ssl, &store) == 1 && store) return store;
    return ::SSL_CTX_get_cert_store(::SSL_get_SSL_CTX(ssl));
}

void check_callers_context(ssl::context& ctx) {
    X509_STORE* store = trust_store_of(ctx.native_handle());
    if (!store) throw std::invalid_argument("TlsConfig::context: the context has no certificate store");
    if (const char* step = replaced_verification_step(store))
        throw std::invalid_argument(std::string("TlsConfig::context: its certificate store replaces the '") + step +
                                    "' step of chain verification (X509_STORE_set_" + step +
                                    "), so the client could not verify the server with it");
}

/// Closes a file descriptor at the end of a scope.
struct FileCloser {
    int fd;
    ~FileCloser() { ::close(fd); }
};

/// The whole of a trust-store file. The path is the caller's own input;
/// naming it helps and leaks nothing secret.
std::string read_trust_file(const std::string& path) {
    const auto unreadable = [&](int error) {
        return std::system_error(error, std::generic_category(),
                                 "TlsConfig::extra_ca_file: cannot read '" + path + "'");
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw unreadable(errno);
    FileCloser closer{fd};
    std::string contents;
    char chunk[16384];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw unreadable(errno);  // EISDIR for a directory, EIO, ...
        if (n == 0) return contents;
        contents.append(chunk, static_cast<std::size_t>(n));
        if (contents.size() > max_trust_file_bytes)
            throw std::invalid_argument("TlsConfig::extra_ca_file: '" + path + "' is larger than " +
                                        std::to_string(max_trust_file_bytes >> 20) + " MiB");
    }
}

/// Makes `param` require a certificate for `host`: its IP address SAN for an
/// IP literal, else a DNS name, with no partial wildcards ("f*.example.com").
/// Sets `is_ip` for the caller (SNI is for names only).
bool expect_peer_identity(X509_VERIFY_PARAM* param, const std::string& host, bool& is_ip) {
    boost::system::error_code addr_ec;
    const auto address = boost::asio::ip::make_address(host, addr_ec);
    is_ip = !addr_ec;
    if (is_ip) return ::X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str()) == 1;
    ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return ::X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

struct ParamFree {
    void operator()(X509_VERIFY_PARAM* p) const { ::X509_VERIFY_PARAM_free(p); }
};
struct StoreCtxFree {
    void operator()(X509_STORE_CTX* p) const { ::X509_STORE_CTX_free(p); }
};

/// Verification parameters owing nothing to the caller's context: OpenSSL's
/// defaults for a TLS server's certificate ("ssl_server": purpose and trust;
/// "default": depth and X509_V_FLAG_TRUSTED_FIRST), the identity of `host` and
/// a floor on key and signature strength. Null if OpenSSL cannot allocate.
std::unique_ptr<X509_VERIFY_PARAM, ParamFree> server_verify_param(SSL* ssl, const std::string& host) {
    std::unique_ptr<X509_VERIFY_PARAM, ParamFree> param(::X509_VERIFY_PARAM_new());
    const X509_VERIFY_PARAM* server = ::X509_VERIFY_PARAM_lookup("ssl_server");
    const X509_VERIFY_PARAM* defaults = ::X509_VERIFY_PARAM_lookup("default");
    bool is_ip = false;
    if (!param || !server || !defaults || ::X509_VERIFY_PARAM_inherit(param.get(), server) != 1 ||
        ::X509_VERIFY_PARAM_inherit(param.get(), defaults) != 1 || !expect_peer_identity(param.get(), host, is_ip))
        return nullptr;
    ::X509_VERIFY_PARAM_set_auth_level(param.get(), std::max(::SSL_get_security_level(ssl), min_auth_level));
    return param;
}

/// Returns OpenSSL's own verdict on each certificate: replaces any callback
/// the caller's store carries.
int openssl_verdict(int preverify_ok, X509_STORE_CTX*) {
    return preverify_ok;
}

/// X509_V_OK, or why the peer's chain or name does not verify.
int verify_result(SSL* ssl, const std::string& host) {
    X509* leaf = ::SSL_get0_peer_certificate(ssl);
    // No certificate: authenticated by a pre-shared key a context may have
    // supplied. Nothing says that key belongs to `host`.
    if (!leaf) return X509_V_ERR_UNSPECIFIED;
    X509_STORE* store = trust_store_of(ssl);
    // The caller holds the context and may have changed its store since the
    // client checked it (make_tls_context).
    if (!store || replaced_verification_step(store)) return X509_V_ERR_UNSPECIFIED;
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(::X509_STORE_CTX_new());
    auto param = server_verify_param(ssl, host);
    // A client's peer chain starts with the leaf; the rest is untrusted input.
    if (!ctx || !param || ::X509_STORE_CTX_init(ctx.get(), store, leaf, ::SSL_get_peer_cert_chain(ssl)) != 1)
        return X509_V_ERR_OUT_OF_MEM;
    // Replaces the parameters X509_STORE_CTX_init copied from the store.
    ::X509_STORE_CTX_set0_param(ctx.get(), param.release());
    ::X509_STORE_CTX_set_verify_cb(ctx.get(), openssl_verdict);
    const int ok = ::X509_verify_cert(ctx.get());
    const int error = ::X509_STORE_CTX_get_error(ctx.get());
    if (ok == 1 && error == X509_V_OK) return X509_V_OK;
    return error != X509_V_OK ? error : X509_V_ERR_UNSPECIFIED;
}

/// The SSL ex_data slot holding a reference to the session SessionCache
/// offered to that connection; released with the SSL.
int offered_session_slot() {
    static const int slot = ::SSL_get_ex_new_index(0, nullptr, nullptr, nullptr,
                                                   [](void*, void* session, CRYPTO_EX_DATA*, int, long, void*) {
                                                       if (session)
                                                           ::SSL_SESSION_free(static_cast<SSL_SESSION*>(session));
                                                   });
    return slot;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsConfig& config) {
    if (config.context) {
        check_callers_context(*config.context);
        return config.context;
    }

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
        // Read here, not by OpenSSL, so that an unreadable file is told apart
        // (with its errno) from a readable one holding no certificate.
        const std::string pem = read_trust_file(config.extra_ca_file);
        ctx->add_certificate_authority(boost::asio::buffer(pem), ec);
        if (ec)
            throw std::invalid_argument("TlsConfig::extra_ca_file: no usable PEM certificate in '" +
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
    // (A context can still replace the whole check with a cert-verify
    // callback; verify_peer, after the handshake, is the check that counts.)
    ::SSL_set_verify(ssl, SSL_VERIFY_PEER, openssl_verdict);
    // TlsConfig promises TLS 1.2 or newer; a caller's context may allow less.
    if (::SSL_get_min_proto_version(ssl) < TLS1_2_VERSION && ::SSL_set_min_proto_version(ssl, TLS1_2_VERSION) != 1)
        return last_ssl_error();
    bool is_ip = false;
    if (!expect_peer_identity(::SSL_get0_param(ssl), host, is_ip)) return last_ssl_error();
    // RFC 6066 forbids IP literals in SNI.
    if (!is_ip && ::SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return last_ssl_error();
    return {};
}

// Every connection is verified, resumed ones too. A session from our own
// SessionCache was verified when it was made, but re-verifying costs one chain
// check (tens of microseconds, once per new connection, which the pool makes
// rare) and keeps the rule free of exceptions: a resumed session can outlive
// its certificate's validity, and a caller's context can make OpenSSL resume
// sessions we never offered (SSL_CTX_set_psk_use_session_callback), which
// carry no certificate at all. OpenSSL keeps the peer's chain in the session,
// so a resumed connection still has one to verify.
error_code verify_peer(SSL* ssl, const std::string& host) {
    const int result = verify_result(ssl, host);
    if (result == X509_V_OK) return {};
    // X509_verify_cert may leave entries behind; they must not be read as a
    // later operation's error on this thread.
    ::ERR_clear_error();
    ::SSL_set_verify_result(ssl, result);
    return certificate_verify_failed();
}

SessionCache::~SessionCache() {
    for (SSL_SESSION* s : sessions_) ::SSL_SESSION_free(s);
}

void SessionCache::offer(SSL* ssl) {
    SSL_SESSION* session = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (sessions_.empty()) return;
        // The newest: its ticket has the most lifetime left.
        session = sessions_.back();
        sessions_.pop_back();
    }
    // The SSL takes its own reference; ours moves to the SSL's ex_data, so
    // that remember() can recognise this session for as long as the SSL lives.
    if (::SSL_set_session(ssl, session) != 1 || ::SSL_set_ex_data(ssl, offered_session_slot(), session) != 1)
        ::SSL_SESSION_free(session);
}

void SessionCache::remember(SSL* ssl) {
    SSL_SESSION* s = ::SSL_get1_session(ssl);
    if (!s) return;
    if (!::SSL_SESSION_is_resumable(s) || s == ::SSL_get_ex_data(ssl, offered_session_slot())) {
        ::SSL_SESSION_free(s);
        return;
    }
    std::lock_guard lock(mutex_);
    if (sessions_.size() == capacity) {
        ::SSL_SESSION_free(sessions_.front());
        sessions_.erase(sessions_.begin());
    }
    sessions_.push_back(s);
}

}  // namespace bwvoice::detail
