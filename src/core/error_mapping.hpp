// What a failure means in the client's terms: the bwvoice::errc of an HTTP
// status or of a transport error, and which failures a dead pooled connection
// produces. Classification only; what to do about them is the exchange's
// state machine (exchange_fsm.hpp) and the retry policy (retry_policy.hpp).
#ifndef BWVOICE_SRC_CORE_ERROR_MAPPING_HPP
#define BWVOICE_SRC_CORE_ERROR_MAPPING_HPP

#include <bwvoice/error.hpp>

namespace bwvoice::detail {

/// The code of a final HTTP status that is not the operation's success
/// (400 -> bad_request, 404 -> not_found, 3xx -> http_error; 1xx (an
/// unasked-for 101) and any other 2xx -> bad_response ...).
errc errc_for_status(unsigned status) noexcept;

/// The code of a failed connect, handshake, write or read.
errc errc_for_transport(const error_code& ec) noexcept;

/// Whether a transport failure of that code may be retried (after backoff):
/// connection failures yes; TLS verification and malformed responses no.
bool is_retryable_transport(errc code) noexcept;

/// A request that failed this way on a *reused* keep-alive connection before
/// any byte of the response arrived was most likely sent on a connection the
/// server had already closed (Go's errServerClosedIdle). It is resent at once
/// on another connection and not counted as a retry: each such resend uses up
/// a pooled connection, so it cannot loop.
bool is_stale_connection_failure(const error_code& ec, bool connection_reused, bool response_started) noexcept;

}  // namespace bwvoice::detail

#endif
