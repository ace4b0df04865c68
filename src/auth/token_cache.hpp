// The rules of one OAuth 2.0 access token shared by every request of a
// client, with no I/O, no lock and no clock of its own: when a request may use
// the token it has, when one fetch must start (one at a time, however many
// requests need it), when they wait for it, when a failed fetch may be tried
// again, and which token a 401 condemns. TokenBroker (token_broker.hpp) adds
// the lock, the waiters and the fetch itself; unit tests walk through these
// rules event by event (test/unit/token_cache_test.cpp).
#ifndef BWVOICE_SRC_AUTH_TOKEN_CACHE_HPP
#define BWVOICE_SRC_AUTH_TOKEN_CACHE_HPP

#include <bwvoice/error.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bwvoice::detail {

/// An access token as requests carry it.
struct AccessToken {
    /// The Authorization header's value: "Bearer <token>".
    std::string authorization;
    /// Which fetch produced it (1, 2, ...): a 401 condemns only this one.
    std::uint64_t generation = 0;
};

class TokenCache {
public:
    using clock = std::chrono::steady_clock;

    struct Settings {
        /// Refresh this long before expiry; capped at half the lifetime, so a
        /// token that lives 60 s is refreshed after 30 s, not at once.
        std::chrono::milliseconds refresh_margin{60'000};
        /// After n failed fetches in a row, the next waits
        /// min(cap, base * 2^(n-1)) after the last failure.
        std::chrono::milliseconds backoff_base{100};
        std::chrono::milliseconds backoff_cap{5'000};
    };

    enum class Verdict {
        use,       ///< Carry `token` (and, with start_fetch, refresh it meanwhile).
        wait,      ///< A fetch is under way (or starts now, with start_fetch): wait for it.
        back_off,  ///< The last fetch failed: nothing before `not_before`; `last_error` says why.
    };

    struct Answer {
        Verdict verdict = Verdict::wait;
        /// The caller must start the one fetch now (and report its end).
        bool start_fetch = false;
        std::shared_ptr<const AccessToken> token;  ///< For Verdict::use.
        clock::time_point not_before{};            ///< For Verdict::back_off.
        error_code last_error{};                   ///< For Verdict::back_off.
    };

    explicit TokenCache(Settings settings) noexcept : settings_(settings) {}

    /// A request needs a token at `now`.
    Answer need(clock::time_point now);

    /// The fetch gave a token; `lifetime` is expires_in (nullopt: not given,
    /// so the token serves the requests waiting for this fetch and is not
    /// kept), counted from when the fetch started. Returns the token that
    /// every waiter of this fetch carries.
    std::shared_ptr<const AccessToken> fetched(std::string access_token, std::optional<std::chrono::seconds> lifetime);

    /// The fetch failed with `ec`: every waiter of this fetch fails with it,
    /// and the next fetch waits for the backoff.
    void fetch_failed(error_code ec, clock::time_point now) noexcept;

    /// The API answered 401 to a request that carried the token of
    /// `generation`: that token is dropped, unless a newer one has replaced it
    /// meanwhile. Returns true when it was dropped.
    bool rejected(std::uint64_t generation) noexcept;

    bool fetching() const noexcept { return fetching_; }
    std::uint64_t fetches() const noexcept { return fetches_; }

private:
    bool start_fetch(clock::time_point now) noexcept;
    clock::time_point retry_at() const noexcept;  // when a fetch may follow failures_in_a_row_ failures

    const Settings settings_;
    std::shared_ptr<const AccessToken> token_;  // the kept token, if any
    clock::time_point refresh_at_{};            // from here on, refresh while still using it
    clock::time_point expires_at_{};            // from here on, never use it
    bool fetching_ = false;
    clock::time_point fetch_started_at_{};
    std::uint64_t fetches_ = 0;  // fetches started; also the next token's generation
    unsigned failures_in_a_row_ = 0;
    clock::time_point failed_at_{};
    error_code last_error_{};
};

}  // namespace bwvoice::detail

#endif
