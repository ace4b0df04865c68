// The decisions of the retry policy, kept free of I/O so they are unit-tested alone.
#ifndef BWVOICE_SRC_CLIENT_RETRY_HPP
#define BWVOICE_SRC_CLIENT_RETRY_HPP

#include <bwvoice/config.hpp>
#include <bwvoice/error.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace bwvoice::detail {

/// The code of a final HTTP status (400 -> bad_request, 404 -> not_found, 3xx -> http_error,
/// 1xx (an unasked-for 101) -> bad_response ...).
errc errc_for_status(unsigned status) noexcept;

/// 429, 502, 503 and 504: worth trying again after a pause.
bool is_retryable_status(unsigned status) noexcept;

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

/// Parses Retry-After as delta-seconds or an HTTP-date (IMF-fixdate, RFC 9110);
/// a date in the past gives zero. nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) noexcept;

/// The pause before counted retry number `retry_index` (0-based): full jitter,
/// uniform in [0, min(cap, base * 2^retry_index)], `unit_random` in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned retry_index, double unit_random) noexcept;

}  // namespace bwvoice::detail

#endif
