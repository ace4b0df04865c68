// bwvoice: ConferenceClient, asynchronous conference lookups over a pool of
// keep-alive TLS connections.
#ifndef BWVOICE_CLIENT_HPP
#define BWVOICE_CLIENT_HPP

#include <bwvoice/conference.hpp>
#include <bwvoice/config.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/detail/lookup_completion.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace bwvoice {

namespace detail {
class ClientImpl;
}

/// A snapshot of the client's counters.
struct PoolStats {
    std::size_t open = 0;                ///< Connections open now (connecting, busy or idle).
    std::size_t idle = 0;                ///< Of those, idle in the pool.
    std::size_t waiting = 0;             ///< Lookups waiting for a connection now.
    std::size_t in_flight = 0;           ///< Lookups started and not yet completed.
    std::uint64_t connections_opened = 0;///< TCP connections ever opened.
    std::uint64_t handshakes = 0;        ///< TLS handshakes completed.
    std::uint64_t sessions_resumed = 0;  ///< Of those, resumed TLS sessions.
    std::uint64_t reuses = 0;            ///< Exchanges sent on an already used connection.
    std::uint64_t retries = 0;           ///< Counted retries.
    std::uint64_t stale_resends = 0;     ///< Requests resent because a pooled connection was dead.
    std::uint64_t lookups_completed = 0; ///< Lookups whose handler has been scheduled.
};

/// Looks up Bandwidth Voice API conferences asynchronously.
///
/// Every lookup is an Asio asynchronous operation on the executor given at
/// construction: `co_await client.async_get_conference(id)` (the default
/// token is asio::deferred), or any other completion token (use_awaitable,
/// use_future, as_tuple, redirect_error, a plain callback).
///
/// @par Connections
/// At most ClientConfig::pool_size keep-alive connections are open at once.
/// A lookup takes the most recently used idle connection, else opens a new
/// one if the bound allows, else waits in FIFO order for one to come back.
/// A connection is never reused after an error, a timeout, a cancellation, a
/// partly read response or `Connection: close`.
///
/// @par Thread-safety
/// Distinct objects: safe. Shared object: async_get_conference, close() and
/// stats() are safe to call concurrently from any thread, including from
/// coroutines on a multi-threaded io_context; each lookup runs on its own
/// strand and the pool's state is guarded internally. Moving or assigning the
/// ConferenceClient handle itself is not safe concurrently with other use.
///
/// @par Object lifetimes
/// The client may be destroyed with lookups in flight: the destructor calls
/// close(), and every pending handler is still called (with errc::cancelled).
/// A moved-from client behaves as a closed one: lookups fail with
/// errc::cancelled, close() and stats() do nothing.
class ConferenceClient {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Creates the client; opens no connection yet (connections are opened on
    /// demand). Throws std::invalid_argument naming the field when `config` is
    /// invalid (a CA file or PEM without a usable certificate included), and
    /// std::system_error (with the errno, naming the field and the path) when
    /// TlsConfig::extra_ca_file cannot be opened or read.
    ConferenceClient(executor_type ex, ClientConfig config);

    template <class ExecutionContext>
        requires std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>
    ConferenceClient(ExecutionContext& ctx, ClientConfig config)
        : ConferenceClient(executor_type(ctx.get_executor()), std::move(config)) {}

    ConferenceClient(ConferenceClient&&) noexcept;
    ConferenceClient& operator=(ConferenceClient&&) noexcept;
    ConferenceClient(const ConferenceClient&) = delete;
    ConferenceClient& operator=(const ConferenceClient&) = delete;

    /// Calls close().
    ~ConferenceClient();

    /// The executor given at construction (never an internal strand).
    executor_type get_executor() const noexcept;

    /// Looks up one conference: `GET {base_url}/accounts/{account}/conferences/{id}`.
    ///
    /// `id` is copied; it is sent percent-encoded as one path segment, so no
    /// character in it can change the request's path or headers.
    ///
    /// @par Handler signature
    /// `void(error_code, Conference)`. On failure the Conference is empty and
    /// the error_code is a bwvoice::errc, or asio::error::operation_aborted
    /// when the caller cancelled (`ec == bwvoice::condition::cancelled` holds
    /// for both).
    ///
    /// @par Executor
    /// The handler runs on its associated executor, by default the client's.
    ///
    /// @par Per-operation cancellation
    /// terminal, partial and total. While the lookup waits for a connection or
    /// sleeps before a retry, cancelling has no other effect. While a request
    /// is on the wire, the connection it used is closed, never reused. The
    /// cancellation may be emitted from the handler's executor (as asio's
    /// awaitable operators and cancellation signals do).
    ///
    /// @par Errors
    /// See bwvoice::errc. A lookup never takes longer than
    /// ClientConfig::request_timeout to complete (errc::timeout).
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_get_conference(std::string_view id, CompletionToken&& token = {}) {
        return async_get_conference_impl(id, nullptr, std::forward<CompletionToken>(token));
    }

    /// The same, and fills `diag` (status, API error body, attempts) just
    /// before the handler runs. `diag` must stay valid until then.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_get_conference(std::string_view id, Diagnostics& diag, CompletionToken&& token = {}) {
        return async_get_conference_impl(id, &diag, std::forward<CompletionToken>(token));
    }

    /// Fails waiting and in-flight lookups with errc::cancelled, closes every
    /// connection, and makes later lookups fail at once with errc::cancelled.
    /// Idempotent; callable from any thread; does not block.
    void close();

    /// A snapshot of the counters; callable from any thread.
    PoolStats stats() const;

private:
    template <class CompletionToken>
    auto async_get_conference_impl(std::string_view id, Diagnostics* diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, Conference)>(
            [](auto handler, std::shared_ptr<detail::ClientImpl> impl, executor_type ex, std::string lookup_id,
               Diagnostics* user_diag) {
                start_lookup(std::move(impl), std::move(lookup_id),
                             detail::LookupCompletion(std::move(handler), ex, user_diag));
            },
            token, impl_, ex_, std::string(id), diag);
    }

    static void start_lookup(std::shared_ptr<detail::ClientImpl> impl, std::string id,
                             detail::LookupCompletion completion);

    executor_type ex_;
    std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace bwvoice

#endif
