/// @file
/// Configuration of a ConferenceClient.
#ifndef BWVOICE_CONFIG_HPP
#define BWVOICE_CONFIG_HPP

#include <bwvoice/log.hpp>
#include <bwvoice/observer.hpp>
#include <bwvoice/version.hpp>

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace bwvoice {

/// How retryable failures are retried. A retry is counted for 429, 502, 503,
/// 504 and connection failures (refused, reset, closed before a complete
/// response on a fresh connection). A name that does not exist (the
/// resolver's "host not found") is not retried: it fails at once. A request
/// found to have gone out on a stale pooled connection is resent at once and
/// is not counted.
struct RetryPolicy {
    /// Most counted retries of one lookup; 0 disables retries.
    unsigned max_retries = 3;
    /// Backoff before retry n (0-based) is drawn uniformly from
    /// [0, min(backoff_cap, backoff_base * 2^n)] ("full jitter"). A 429's
    /// Retry-After, when present, replaces the draw.
    std::chrono::milliseconds backoff_base{100};
    /// The longest backoff drawn (see backoff_base).
    std::chrono::milliseconds backoff_cap{5'000};
    /// false: sleep the upper bound itself instead of a random draw (for tests).
    bool jitter = true;
};

/// Whom the client trusts. Peer and host-name verification are always on and
/// cannot be turned off; TLS 1.2 is the oldest version accepted.
struct TlsConfig {
    /// Trust the operating system's store (OpenSSL's default paths).
    bool use_system_store = true;
    /// A PEM file of extra trust anchors (for example the mock server's CA).
    /// ConferenceClient's constructor throws std::system_error (with the
    /// errno) if the file cannot be opened or read, and std::invalid_argument
    /// if it holds no PEM certificate.
    std::string extra_ca_file{};
    /// The same as PEM text, for callers that hold the CA in memory.
    std::string extra_ca_pem{};
    /// Offer remembered TLS sessions to new connections so reconnects skip the
    /// full handshake (RFC 8446 resumption). Each session is offered to one
    /// connection only (RFC 8446, appendix C.4). Off only to measure its effect.
    bool session_resumption = true;
    /// The caller's own context. When set, use_system_store, extra_ca_file and
    /// extra_ca_pem are ignored and the context is used as it is (its trust
    /// store, ciphers, ...), except that on every connection TLS 1.2 is still
    /// the oldest version, and the peer's chain and host name are verified
    /// again after the handshake, before anything is sent, against the
    /// context's trust store with OpenSSL's defaults for a TLS server and keys
    /// and signatures of at least OpenSSL security level 2: the context's
    /// verify mode, verify callbacks and verify flags (such as
    /// X509_V_FLAG_PARTIAL_CHAIN or X509_V_FLAG_NO_CHECK_TIME) do not apply to
    /// that check. A context whose X509_STORE replaces steps of chain
    /// verification (X509_STORE_set_verify, X509_STORE_set_get_issuer, ...)
    /// is refused with std::invalid_argument.
    std::shared_ptr<boost::asio::ssl::context> context{};
};

/// Everything a ConferenceClient needs. An aggregate: build it with designated
/// initializers naming only the fields you need (every member, TlsConfig's
/// too, has a default member initializer, so that compiles without
/// -Wmissing-field-initializers warnings). ConferenceClient's constructor
/// validates it once and throws std::invalid_argument naming the offending
/// field. Every duration is at most 30 days, and the base URL's port 1 to 65535.
struct ClientConfig {
    /// The API root. https only, unless insecure_allow_plain_http.
    std::string base_url = "https://voice.bandwidth.com/api/v2";
    /// Account ID (7 digits in current accounts). Required.
    std::string account_id{};
    /// HTTP Basic credentials of an API user. Give these, or the OAuth 2.0
    /// client credentials below, not both. The password is only ever sent in
    /// the Authorization header over TLS; it never appears in errors,
    /// diagnostics or logs.
    std::string username{};
    /// The API user's password (see username).
    std::string password{};

    /// OAuth 2.0 client credentials (Bandwidth App > Account > API
    /// Credentials), instead of username and password. The client then fetches
    /// an access token from token_url (`POST`, the client ID and secret in
    /// HTTP Basic, `grant_type=client_credentials`) and sends
    /// `Authorization: Bearer <token>` to the API. One token is shared by
    /// every request of the client: requests that need one while it is being
    /// fetched wait for that one fetch (within their own deadline and
    /// cancellation); it is refreshed token_refresh_margin before it expires
    /// while requests go on using it; a 401 to a request that carried it
    /// drops it (only it), and that request is sent once more with a new one.
    /// The secret and the tokens never appear in errors, diagnostics or logs.
    std::string client_id{};
    /// The client secret of client_id (see there).
    std::string client_secret{};
    /// The token endpoint. Same rules as base_url (https unless
    /// insecure_allow_plain_http; trusted as `tls` says), but it may be another
    /// host: API credentials never go to it, nor the client secret to the API.
    std::string token_url = "https://api.bandwidth.com/api/v1/oauth2/token";
    /// Refresh a token this long before it expires (capped at half its
    /// lifetime). A token response without expires_in serves the requests
    /// that waited for it and is not kept.
    std::chrono::milliseconds token_refresh_margin{60'000};

    /// Most connections open at once (connecting, busy and idle together). >= 1.
    std::size_t pool_size = 16;
    /// An idle connection older than this is closed, never reused. Keep it
    /// below the server's keep-alive timeout (nginx's default is 75 s).
    std::chrono::milliseconds idle_timeout{20'000};
    /// Deadline for name resolution plus TCP connect of one connection attempt.
    std::chrono::milliseconds connect_timeout{5'000};
    /// Deadline for the TLS handshake of one connection attempt.
    std::chrono::milliseconds handshake_timeout{5'000};
    /// Deadline of a whole lookup: waiting for a connection, connecting,
    /// every retry and backoff, writing and reading. > 0.
    std::chrono::milliseconds request_timeout{30'000};
    /// Resolved addresses are reused for this long.
    std::chrono::milliseconds dns_cache_ttl{60'000};

    /// How failed reads, and changes refused with a 429, are retried.
    RetryPolicy retry{};

    /// Largest response body accepted; a larger one is a bad_response.
    std::size_t max_body_bytes = 4u << 20;
    /// Largest response header accepted; a larger one is a bad_response.
    std::uint32_t max_header_bytes = 16u << 10;

    /// User-Agent header. Must not contain CR or LF.
    std::string user_agent = "bwvoice/" BWVOICE_VERSION_STRING;

    /// Whom the client trusts, for the API and the token endpoint alike.
    TlsConfig tls{};

    /// Allows an http:// base_url, sending the credentials in clear. Only for
    /// local test servers; named loudly so it is never set by accident.
    bool insecure_allow_plain_http = false;

    /// Told of every request, retry, pool wait and connection as it happens
    /// (see ClientObserver). None by default, and then no event is built.
    std::shared_ptr<ClientObserver> observer{};

    /// The same events as structured log records, at or above log_level
    /// (see LogHook). None by default: the client prints nothing.
    LogHook log{};
    /// The least level `log` is called for.
    LogLevel log_level = LogLevel::info;
};

}  // namespace bwvoice

#endif
