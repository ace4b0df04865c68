// The client's one OAuth token, shared by every request: TokenCache's rules
// under a lock, the requests waiting for a fetch, and the fetch's outcome
// handed to each of them. The fetch itself is an exchange like any other
// (token_fetch.hpp), started by whichever request the rules pick; it belongs
// to no request, so a request that gives up waiting does not stop it.
#ifndef BWVOICE_SRC_AUTH_TOKEN_BROKER_HPP
#define BWVOICE_SRC_AUTH_TOKEN_BROKER_HPP

#include "auth/token_cache.hpp"

#include <bwvoice/diagnostics.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace bwvoice::detail {

/// How a token fetch ended, shared by every request that waited for it.
struct TokenOutcome {
    std::shared_ptr<const AccessToken> token;  ///< Null when the fetch failed.
    error_code error;
    Diagnostics diag;
};

/// A request waiting for a token. The broker writes the answer under its
/// lock, then calls wake() after releasing it; wake() must hand control to
/// the waiter's own strand and must not re-enter the broker.
class TokenWaiter {
public:
    virtual void wake() noexcept = 0;

    /// Null until the fetch waited for ends; then the waiter's to read (the
    /// broker no longer touches it). One outcome per fetch, not a copy per
    /// waiter: a request that never waits for a token carries a pointer.
    std::shared_ptr<const TokenOutcome> token_outcome;

protected:
    ~TokenWaiter() = default;
};

/// Thread-safe.
class TokenBroker {
public:
    using clock = TokenCache::clock;

    explicit TokenBroker(TokenCache::Settings settings);

    /// A request needs a token. With Verdict::wait the waiter is queued (and
    /// its outcome reset) and will be woken when the fetch ends; with
    /// start_fetch the caller must start the fetch now. With
    /// Verdict::back_off, `last_failure` receives the failed fetch's
    /// diagnostics.
    TokenCache::Answer need(const std::shared_ptr<TokenWaiter>& waiter, clock::time_point now,
                            Diagnostics& last_failure);

    /// Whether the fetch a waiter waits for has ended (its outcome is then the
    /// waiter's to read: the broker no longer touches it).
    bool answered(const TokenWaiter& waiter) const;

    /// Removes a waiter that stops waiting (cancelled, deadline); harmless if
    /// it was already answered.
    void cancel_wait(TokenWaiter& waiter) noexcept;

    /// The fetch's outcome, handed to every waiter of it.
    void fetched(std::string access_token, std::optional<std::chrono::seconds> lifetime);
    /// Never fails: out of memory, the waiters get an outcome made in
    /// advance (connection_failed, no diagnostics).
    void fetch_failed(error_code ec, const Diagnostics& diag, clock::time_point now) noexcept;

    /// The client is closing: every waiter is answered now with
    /// operation_aborted (and let go, so that nothing of the client outlives
    /// it through them), as is every later need().
    void close() noexcept;

    /// A 401 answered a request that carried the token of `generation`.
    void rejected(std::uint64_t generation) noexcept;

    /// Fetches started so far (for tests and stats).
    std::uint64_t fetches() const;

private:
    /// Gives every waiter `outcome`, moves the queue out and calls wake() on
    /// each, outside the lock. Allocates nothing: fetch_failed() and close()
    /// must not fail.
    void answer_all(std::unique_lock<std::mutex>& lock, const std::shared_ptr<const TokenOutcome>& outcome);

    mutable std::mutex mutex_;
    TokenCache cache_;
    Diagnostics last_failure_;
    std::vector<std::shared_ptr<TokenWaiter>> waiters_;  // a vector: moving it out never allocates
    bool closed_ = false;
    const std::shared_ptr<const TokenOutcome> closed_while_waiting_;  // for those waiting at close()
    const std::shared_ptr<const TokenOutcome> closed_outcome_;        // for a need() after close()
    const std::shared_ptr<const TokenOutcome> out_of_memory_;
};

}  // namespace bwvoice::detail

#endif
