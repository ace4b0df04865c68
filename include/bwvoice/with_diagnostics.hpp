// bwvoice: with_diagnostics, the completion token adaptor whose failures
// are exceptions carrying the server's explanation.
#ifndef BWVOICE_WITH_DIAGNOSTICS_HPP
#define BWVOICE_WITH_DIAGNOSTICS_HPP

#include <bwvoice/error_with_diagnostics.hpp>

#include <boost/asio/deferred.hpp>

#include <type_traits>
#include <utility>

namespace bwvoice {

namespace detail {
struct with_diagnostics_access;
}

/// A completion token adaptor, as Boost.MySQL's `with_diagnostics`: wraps
/// another token and turns an operation's handler signature
/// `void(error_code, T...)` into `void(std::exception_ptr, T...)`. On failure
/// the exception_ptr points to an error_with_diagnostics holding the
/// operation's Diagnostics (HTTP status, the API's error type and
/// description, the client's message); on success it is null. So with a
/// token that throws what it is given (use_awaitable, deferred awaited in a
/// coroutine, use_future), the exception says why the server refused, where a
/// plain boost::system::system_error says only "not found":
/// @code
/// try {
///     bwvoice::Conference c = co_await client.async_get_conference(id,
///     bwvoice::with_diagnostics(asio::use_awaitable));
/// } catch (const bwvoice::error_with_diagnostics& e) {
///     // e.code() == bwvoice::errc::not_found; e.diagnostics().http_status == 404;
///     // e.what(): "HTTP 404: Conference [...] not found; API error type "validation": no such ..."
/// }
/// @endcode
///
/// @par The default token
/// Every ConferenceClient operation and ConferencePager::async_next default
/// to `with_diagnostics_t<>`, that is `with_diagnostics(asio::deferred)`: a
/// bare `co_await client.async_get_conference(id)` throws
/// error_with_diagnostics (Boost.MySQL's default token since Boost 1.87 is
/// the same). It derives from boost::system::system_error with the same
/// code(), so code that catches system_error is unchanged. What the default
/// changes is the signature of the deferred operation the call returns
/// (`void(std::exception_ptr, T)`): to compose it with another token
/// (`op(callback)`, `make_parallel_group`, `deferred` continuations) with the
/// error_code signature, pass `asio::deferred` explicitly.
///
/// @par Which operations
/// Only bwvoice's operations: the adaptor takes the operation's Diagnostics
/// from its initiation (a `Diagnostics*` every bwvoice initiation passes
/// first), so another library's operation does not compile with it. When the
/// caller gave a `Diagnostics&`, it is filled as ever and its contents are
/// also copied into the exception; otherwise the adaptor supplies one,
/// allocated with the associated allocator of the token it wraps (an
/// allocator bound outside the adaptor, `bind_allocator(a, with_diagnostics(t))`,
/// serves the completion but not this Diagnostics); for a token with none
/// (the default `std::allocator`) its memory is recycled by the library, as
/// the operation's own is. A signature whose first
/// argument is not an error_code (as after `asio::as_tuple` or
/// `asio::redirect_error` wrapped around it) passes through unchanged, so
/// `as_tuple(with_diagnostics(t))` is `as_tuple(t)`.
///
/// @par Asio's rules
/// The handler's associated executor, allocator and cancellation slot are the
/// wrapped handler's: `with_diagnostics(asio::bind_executor(strand, f))` runs
/// `f` on the strand, and `with_diagnostics(asio::bind_cancellation_slot(s, f))`
/// is cancelled through `s`. The handler runs once, never inside the
/// initiating function, as for any other token.
///
/// @par Thread-safety
/// Distinct objects: safe. Shared objects: safe to use concurrently as long
/// as the wrapped token is.
template <class CompletionToken = boost::asio::deferred_t>
class with_diagnostics_t {
public:
    /// The wrapped token's type.
    using token_type = CompletionToken;

    /// Default-constructs the wrapped token (as for a default token argument).
    constexpr with_diagnostics_t() requires std::is_default_constructible_v<CompletionToken> : token_{} {}

    /// Wraps `token` (converted to CompletionToken).
    template <class T>
    requires(!std::is_same_v<std::remove_cvref_t<T>, with_diagnostics_t> &&
             std::is_constructible_v<CompletionToken, T&&>) constexpr explicit with_diagnostics_t(T&& token)
        : token_(std::forward<T>(token)) {}

private:
    friend struct detail::with_diagnostics_access;
    CompletionToken token_;
};

/// Wraps `token` (decay-copied) in with_diagnostics_t: see there.
template <class CompletionToken>
constexpr with_diagnostics_t<std::decay_t<CompletionToken>> with_diagnostics(CompletionToken&& token) {
    return with_diagnostics_t<std::decay_t<CompletionToken>>(std::forward<CompletionToken>(token));
}

}  // namespace bwvoice

#include <bwvoice/detail/with_diagnostics.hpp>

#endif
