/// @file
/// What happens inside a ConferenceClient, told as it happens (issue 12; DRAFT: not yet wired into the engine).
#ifndef BWVOICE_OBSERVER_HPP
#define BWVOICE_OBSERVER_HPP

#include <bwvoice/error.hpp>
#include <bwvoice/export.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bwvoice {

/// Which operation an event belongs to.
enum class OperationKind {
    get_conference,          ///< async_get_conference
    list_conferences,        ///< ConferencePager::async_next
    update_conference,       ///< async_update_conference
    update_conference_bxml,  ///< async_update_conference_bxml
    get_member,              ///< async_get_member
    update_member,           ///< async_update_member
    list_recordings,         ///< async_list_recordings
    get_recording,           ///< async_get_recording
    download_recording,      ///< async_download_recording
    token_fetch,             ///< the OAuth token request (not an operation of the caller's)
};

/// Why a connection was closed.
enum class CloseReason {
    idle_expired,   ///< Idle longer than ClientConfig::idle_timeout.
    error,          ///< A transport or protocol error, a timeout or a cancellation on it.
    server_closed,  ///< The server sent `Connection: close` or closed it.
    client_closed,  ///< ConferenceClient::close() (pool shutdown).
};

/// Why a request is tried again.
enum class RetryReason {
    rate_limited,        ///< HTTP 429 (the delay honours Retry-After).
    server_unavailable,  ///< HTTP 502, 503 or 504.
    connection_failed,   ///< Connecting or the exchange failed before a response.
};

/// Called by the client as things happen. Install one with
/// ClientConfig::observer; none by default, and then nothing is measured.
///
/// @par Threading
/// Each call runs on the strand of the request it is about (or of the
/// connection, for connection events), so calls about one request never
/// overlap; calls about different requests may run concurrently on a
/// multi-threaded io_context. A call must not block: it delays the request.
/// An exception thrown from it is caught and ignored; it never breaks a
/// request. Every method has an empty default.
class BWVOICE_API ClientObserver {
public:
    /// Observers are owned by the caller (through the shared_ptr in ClientConfig).
    virtual ~ClientObserver();

    /// One try of an operation is about to be written (`attempt` counts from 1).
    virtual void request_started(OperationKind op, unsigned attempt) noexcept;
    /// One try ended: `status` when a response came, `ec` its error (or success), the bytes written and read.
    virtual void request_ended(OperationKind op, unsigned attempt, std::optional<unsigned> status, error_code ec,
                               std::chrono::nanoseconds duration, std::uint64_t bytes_out,
                               std::uint64_t bytes_in) noexcept;
    /// A counted retry will follow after `backoff`.
    virtual void retry_scheduled(OperationKind op, RetryReason why, std::chrono::nanoseconds backoff) noexcept;
    /// A request found its pooled connection dead and is resent on a fresh one (not a counted retry).
    virtual void stale_resend(OperationKind op) noexcept;
    /// The operation waited `waited` for a connection from the pool.
    virtual void pool_waited(OperationKind op, std::chrono::nanoseconds waited) noexcept;
    /// A connection opened: the duration of each phase, and whether TLS resumed a session.
    virtual void connection_opened(std::chrono::nanoseconds resolve, std::chrono::nanoseconds connect,
                                   std::chrono::nanoseconds tls_handshake, bool session_resumed) noexcept;
    /// A request goes out on an already used connection.
    virtual void connection_reused() noexcept;
    /// A connection closed.
    virtual void connection_closed(CloseReason why) noexcept;
    /// An OAuth token was fetched (its lifetime, if the endpoint gave one).
    virtual void token_fetched(std::optional<std::chrono::seconds> lifetime) noexcept;
    /// The token endpoint refused the credentials or could not be reached (`ec`), with its status if it answered.
    virtual void token_refused(error_code ec, std::optional<unsigned> status) noexcept;
};

}  // namespace bwvoice

#endif
