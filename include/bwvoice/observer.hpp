/// @file
/// What happens inside a ConferenceClient, told as it happens: install a
/// ClientObserver in ClientConfig::observer.
#ifndef BWVOICE_OBSERVER_HPP
#define BWVOICE_OBSERVER_HPP

#include <bwvoice/error.hpp>
#include <bwvoice/export.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bwvoice {

/// Which operation an event or a metric belongs to.
enum class OperationKind {
    get_conference,          ///< async_get_conference
    list_conferences,        ///< ConferencePager::async_next (one page)
    update_conference,       ///< async_update_conference
    update_conference_bxml,  ///< async_update_conference_bxml
    get_member,              ///< async_get_member
    update_member,           ///< async_update_member
    list_recordings,         ///< async_list_recordings
    get_recording,           ///< async_get_recording
    download_recording,      ///< async_download_recording
    token_fetch,             ///< The OAuth token request: the client's own, not an operation of the caller's.
};
/// The number of OperationKind values.
inline constexpr std::size_t operation_kind_count = 10;
/// "get_conference", "list_conferences", ... (the enumerator's name).
BWVOICE_API std::string_view to_string(OperationKind k) noexcept;

/// Why a request is tried again (a counted retry, within RetryPolicy::max_retries).
enum class RetryReason {
    rate_limited,        ///< HTTP 429; the backoff is the server's Retry-After when it sent one.
    server_unavailable,  ///< HTTP 502, 503 or 504 (503 honours Retry-After too).
    connection_failed,   ///< Resolving, connecting, the handshake or the exchange failed before a response.
};
/// The number of RetryReason values.
inline constexpr std::size_t retry_reason_count = 3;
/// "rate_limited", "server_unavailable", "connection_failed".
BWVOICE_API std::string_view to_string(RetryReason r) noexcept;

/// Why a connection was closed.
enum class CloseReason {
    idle_expired,   ///< Idle in the pool longer than ClientConfig::idle_timeout.
    server_closed,  ///< The server sent `Connection: close`, or had closed it (or sent something unasked) before reuse.
    error,          ///< A transport or protocol error on it, or its answers were out of step.
    interrupted,    ///< The request using it was stopped mid-exchange (deadline or the caller's cancellation).
    client_closed,  ///< ConferenceClient::close() or its destructor (the pool shut down).
};
/// The number of CloseReason values.
inline constexpr std::size_t close_reason_count = 5;
/// "idle_expired", "server_closed", "error", "interrupted", "client_closed".
BWVOICE_API std::string_view to_string(CloseReason r) noexcept;

/// One try of an operation is about to be written on a connection.
struct RequestStarted {
    OperationKind operation;  ///< The operation it belongs to.
    /// 1 for the first try; stale resends and retries count up, and so does
    /// a connect that failed (with no RequestStarted of its own).
    unsigned attempt;
    std::uint64_t connection;  ///< The connection's ID (as in ConnectionOpened).
    bool reused;               ///< The connection has carried a request before.
};

/// One try ended: a response was read, or writing or reading failed.
struct RequestEnded {
    OperationKind operation;            ///< The operation it belongs to.
    unsigned attempt;                   ///< As in RequestStarted.
    std::uint64_t connection;           ///< The connection's ID (see ConnectionOpened).
    std::optional<unsigned> status;     ///< The final response's status, when one arrived.
    error_code ec;                      ///< The transport's or the framing's error; success when a response arrived.
    std::chrono::nanoseconds duration;  ///< From RequestStarted to now.
    std::uint64_t bytes_out;            ///< Request bytes written (head and body).
    std::uint64_t bytes_in;             ///< Response bytes read (head and body; a download's media included).
};

/// A counted retry will follow after `backoff`.
struct RetryScheduled {
    OperationKind operation;            ///< The operation it belongs to.
    unsigned attempt;                   ///< The try that failed.
    RetryReason reason;                 ///< Why the try failed.
    std::chrono::milliseconds backoff;  ///< The pause before the next try (the Retry-After when honoured).
};

/// A pooled connection turned out dead when the request went out on it; the
/// request goes again at once on another (not a counted retry: the server
/// never saw it).
struct StaleResend {
    OperationKind operation;   ///< The operation it belongs to.
    unsigned attempt;          ///< The try that found the connection dead.
    std::uint64_t connection;  ///< The connection's ID (see ConnectionOpened).
};

/// The operation waited for a connection: the pool was at ClientConfig::pool_size.
struct PoolWaited {
    OperationKind operation;          ///< The operation it belongs to.
    std::chrono::nanoseconds waited;  ///< From joining the queue to the wait's end.
    bool granted;                     ///< False when the wait ended without one (deadline, cancellation, close).
};

/// A connection is open and ready for requests.
struct ConnectionOpened {
    std::uint64_t connection;                ///< Its ID, unique within the client, from 1.
    std::chrono::nanoseconds resolve;        ///< Name resolution (near 0 from the client's DNS cache).
    std::chrono::nanoseconds connect;        ///< TCP connect.
    std::chrono::nanoseconds tls_handshake;  ///< 0 over plain HTTP.
    bool tls;                                ///< Over TLS (false under ClientConfig::insecure_allow_plain_http).
    bool session_resumed;                    ///< The TLS handshake resumed a session (abbreviated handshake).
};

/// A request goes out on a connection that has carried one before.
struct ConnectionReused {
    std::uint64_t connection;  ///< The connection's ID (see ConnectionOpened).
    OperationKind operation;   ///< The operation it belongs to.
    std::uint64_t exchanges;   ///< Requests it completed before this one.
};

/// A connection is closed: every one counted in PoolStats::connections_opened
/// (a TCP connect) is, once; one whose TLS handshake failed had no
/// ConnectionOpened and closes with CloseReason::error.
struct ConnectionClosed {
    std::uint64_t connection;  ///< The connection's ID (see ConnectionOpened).
    CloseReason reason;        ///< Why it was closed.
    std::uint64_t exchanges;   ///< Requests it completed.
};

/// An operation is over: its handler is about to be scheduled.
struct OperationEnded {
    OperationKind operation;            ///< The operation it belongs to.
    error_code ec;                      ///< What the handler gets.
    std::optional<unsigned> status;     ///< The last response's status, when one arrived.
    unsigned attempts;                  ///< As Diagnostics::attempts.
    std::chrono::nanoseconds duration;  ///< From the initiating call to now, retries and waits included.
};

/// An OAuth token was fetched.
struct TokenFetched {
    std::chrono::nanoseconds duration;             ///< The token request, retries included.
    std::optional<std::chrono::seconds> lifetime;  ///< The endpoint's expires_in, when it gave one.
};

/// The token endpoint refused the client credentials or could not be reached.
struct TokenRefused {
    error_code ec;                   ///< As the waiting operations get it (errc::unauthorized, ...).
    std::optional<unsigned> status;  ///< The token endpoint's status, when it answered.
};

/// Told by a ConferenceClient what happens inside it, as it happens (OkHttp's
/// EventListener, Go's httptrace). Install one with ClientConfig::observer;
/// there is none by default, and then no event is built. Every method has an
/// empty default: override the ones you need.
///
/// @par Threading
/// Events about a request run on that request's strand, inside the client's
/// I/O, so the events of one request never overlap and come in order; events
/// of different requests may run concurrently on a multi-threaded
/// io_context: an observer shared by all must be thread-safe. The one
/// exception: when the client is closed, ConnectionClosed with
/// CloseReason::client_closed for its idle connections runs on the thread
/// that calls close() (or the destructor).
///
/// Boost 1.81 starts a request's coroutine inline when the initiating call is
/// made from inside the io_context's run() (the completion handler is still
/// never called there): its first events (ConnectionReused, RequestStarted,
/// ConnectionClosed of a pooled connection found dead) may run inside the
/// initiating call, under whatever locks the caller holds. An operation
/// refused before sending (errc::bad_request, an empty ID) tells its
/// OperationEnded inside the initiating call too. Events of operations still
/// in flight run after the ConferenceClient is destroyed (they end with
/// errc::cancelled): the observer (held by shared_ptr) and whatever a log
/// hook captures must outlive them.
///
/// @par Must not block
/// A method runs in the middle of a request: the time it takes delays that
/// request, and a blocking one stalls the io_context thread. Record and
/// return (increment a counter, push to a lock-free queue).
///
/// @par Exceptions
/// An exception thrown by a method is caught and dropped: it never changes
/// what a request does or what its handler gets.
///
/// @par No secrets
/// No event carries credentials, tokens, request targets or bodies.
class BWVOICE_API ClientObserver {
public:
    virtual ~ClientObserver();

    /// RequestStarted: a try is about to be written.
    virtual void on_request_started(const RequestStarted&) {}
    /// RequestEnded: a try ended.
    virtual void on_request_ended(const RequestEnded&) {}
    /// RetryScheduled: a counted retry follows a pause.
    virtual void on_retry_scheduled(const RetryScheduled&) {}
    /// StaleResend: a dead pooled connection; the request goes again at once.
    virtual void on_stale_resend(const StaleResend&) {}
    /// PoolWaited: a wait for a connection ended.
    virtual void on_pool_waited(const PoolWaited&) {}
    /// ConnectionOpened: a new connection is ready.
    virtual void on_connection_opened(const ConnectionOpened&) {}
    /// ConnectionReused: a request goes out on a used connection.
    virtual void on_connection_reused(const ConnectionReused&) {}
    /// ConnectionClosed: a connection is closed.
    virtual void on_connection_closed(const ConnectionClosed&) {}
    /// OperationEnded: an operation is over.
    virtual void on_operation_ended(const OperationEnded&) {}
    /// TokenFetched: an OAuth token arrived.
    virtual void on_token_fetched(const TokenFetched&) {}
    /// TokenRefused: the OAuth token fetch failed.
    virtual void on_token_refused(const TokenRefused&) {}
};

}  // namespace bwvoice

#endif
