/// @file
/// Error codes of the conference client.
#ifndef BWVOICE_ERROR_HPP
#define BWVOICE_ERROR_HPP

#include <bwvoice/export.hpp>

#include <boost/system/error_code.hpp>

#include <string_view>
#include <type_traits>

namespace bwvoice {

/// The error code every operation completes with (Boost.System's, as Asio's).
using error_code = boost::system::error_code;

/// Why an operation failed, a read or a change, on a conference, a member or
/// a recording. The names and meanings are those of the `bwconf` command-line
/// contract, so a service and a script see the same codes.
/// Value 0 is success and is never used.
enum class errc {
    bad_request = 1,    ///< HTTP 400: the API rejected the request (see Diagnostics::api_error_description);
                        ///< or the client refused it before sending anything (an empty, '.' or '..'
                        ///< ID, an invalid update or query, an empty BXML document, a second
                        ///< ConferencePager::async_next while one is under way), and then
                        ///< Diagnostics::http_status is empty.
    unauthorized,       ///< HTTP 401: wrong username or password for this account; with OAuth, the token
                        ///< endpoint refused the client credentials, or the API refused a second token.
    forbidden,          ///< HTTP 403: the user may not use the Voice API of this account.
    not_found,          ///< HTTP 404: no such conference, member or recording (or no longer kept by the
                        ///< API); Diagnostics::api_error_description says which.
    rate_limited,       ///< HTTP 429 still returned after every retry; slow down.
    server_error,       ///< HTTP 5xx still returned after every retry (500 is not retried).
    http_error,         ///< Any other non-2xx status, including 3xx (redirects are not followed).
    timeout,            ///< The request's deadline (ClientConfig::request_timeout) passed.
    connection_failed,  ///< Name resolution, connect, reset or close before a complete response.
    tls_error,          ///< TLS handshake failed: untrusted or expired certificate, wrong host name.
    bad_response,       ///< Malformed HTTP, invalid JSON, a missing or mistyped field, body too large; an
                        ///< answer about another ID than the one asked for; a next-page link elsewhere.
    cancelled,          ///< The client was closed, or the caller cancelled the operation.
};

/// The category of errc. Its name is "bwvoice".
BWVOICE_API const boost::system::error_category& client_category() noexcept;

/// Makes `e` an error_code of client_category(), so that `ec == errc::not_found`
/// and `error_code ec = errc::timeout;` work (found by argument-dependent lookup).
inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

/// The contract's spelling of a code ("not_found", "tls_error", ...); "unknown" for other values.
BWVOICE_API std::string_view to_string(errc e) noexcept;

/// Maps any error an operation may complete with onto the contract's codes: an errc
/// maps to itself, asio::error::operation_aborted (a caller's cancellation) to
/// errc::cancelled. Success maps to nothing: do not call it with a success code.
BWVOICE_API errc to_errc(const error_code& ec) noexcept;

/// Conditions that group codes for callers, so nobody compares categories by hand:
///   ec == bwvoice::condition::cancelled  is true for a caller's cancellation
///   (operation_aborted) and for a closed client (errc::cancelled).
enum class condition {
    cancelled = 1,  ///< errc::cancelled or asio::error::operation_aborted.
    timeout,        ///< errc::timeout.
    retryable,      ///< Worth trying again later: rate_limited, server_error, connection_failed, timeout.
};

/// The category of condition. Its name is "bwvoice.condition".
BWVOICE_API const boost::system::error_category& condition_category() noexcept;

/// Makes `c` an error_condition of condition_category(), so that
/// `ec == bwvoice::condition::retryable` works.
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

}  // namespace bwvoice

namespace boost::system {
/// Lets a bwvoice::errc convert to an error_code, and compare with one.
template <>
struct is_error_code_enum<bwvoice::errc> : std::true_type {};
/// Lets an error_code compare with a bwvoice::condition.
template <>
struct is_error_condition_enum<bwvoice::condition> : std::true_type {};
}  // namespace boost::system

#endif
