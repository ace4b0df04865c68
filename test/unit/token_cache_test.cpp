// The shared token's rules, event by event, with the clock passed in: one
// fetch however many need it, refresh ahead of expiry while the old token
// still serves, "use once" tokens, backoff after failures, and a 401 that
// condemns only the token it was answered to.
#include "auth/token_cache.hpp"

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

using namespace bwvoice::detail;
using namespace std::chrono_literals;
using Verdict = TokenCache::Verdict;

namespace {

const TokenCache::clock::time_point t0{std::chrono::hours(1)};

TokenCache make_cache() {
    return TokenCache({.refresh_margin = 60s, .backoff_base = 100ms, .backoff_cap = 5s});
}

const bwvoice::error_code refused = bwvoice::make_error_code(bwvoice::errc::unauthorized);

}  // namespace

BOOST_AUTO_TEST_SUITE(token_cache)

BOOST_AUTO_TEST_CASE(the_first_request_starts_the_one_fetch_and_the_others_wait_for_it) {
    TokenCache cache = make_cache();
    const auto first = cache.need(t0);
    BOOST_TEST((first.verdict == Verdict::wait));
    BOOST_TEST(first.start_fetch);
    for (int i = 0; i < 1000; ++i) {
        const auto other = cache.need(t0 + 1ms);
        BOOST_TEST((other.verdict == Verdict::wait));
        BOOST_TEST(!other.start_fetch);
    }
    BOOST_TEST(cache.fetches() == 1u);
    const auto token = cache.fetched("abc", 3600s);
    BOOST_TEST(token->authorization == "Bearer abc");
    BOOST_TEST(token->generation == 1u);
    const auto later = cache.need(t0 + 2ms);
    BOOST_TEST((later.verdict == Verdict::use));
    BOOST_TEST(!later.start_fetch);
    BOOST_TEST(later.token == token);
}

BOOST_AUTO_TEST_CASE(a_token_is_refreshed_once_ahead_of_expiry_while_it_still_serves) {
    TokenCache cache = make_cache();
    cache.need(t0);
    const auto first = cache.fetched("one", 3600s);
    // Until expiry minus the margin: nothing to do.
    BOOST_TEST(!cache.need(t0 + 3539s).start_fetch);
    // In the margin: the first request starts the refresh and still carries
    // the old token; the others carry it too and start nothing.
    const auto a = cache.need(t0 + 3540s);
    BOOST_TEST((a.verdict == Verdict::use));
    BOOST_TEST(a.start_fetch);
    BOOST_TEST(a.token == first);
    const auto b = cache.need(t0 + 3541s);
    BOOST_TEST((b.verdict == Verdict::use));
    BOOST_TEST(!b.start_fetch);
    BOOST_TEST(cache.fetches() == 2u);
    const auto second = cache.fetched("two", 3600s);
    BOOST_TEST(second->generation == 2u);
    BOOST_TEST(cache.need(t0 + 3542s).token == second);
}

BOOST_AUTO_TEST_CASE(an_expired_token_is_never_carried) {
    TokenCache cache = make_cache();
    cache.need(t0);
    cache.fetched("one", 100s);
    // The refresh never came (no request in the margin); at expiry the
    // request waits for a new fetch instead of carrying a dead token.
    const auto at_expiry = cache.need(t0 + 100s);
    BOOST_TEST((at_expiry.verdict == Verdict::wait));
    BOOST_TEST(at_expiry.start_fetch);
    BOOST_TEST(!at_expiry.token);
}

BOOST_AUTO_TEST_CASE(the_lifetime_counts_from_the_start_of_the_fetch) {
    TokenCache cache = make_cache();
    cache.need(t0);  // the fetch starts at t0 and takes 30 s
    cache.fetched("slow", 120s);
    BOOST_TEST((cache.need(t0 + 119s).verdict == Verdict::use));
    BOOST_TEST((cache.need(t0 + 120s).verdict == Verdict::wait));
}

BOOST_AUTO_TEST_CASE(the_margin_is_capped_at_half_a_short_lifetime) {
    TokenCache cache = make_cache();
    cache.need(t0);
    cache.fetched("short", 60s);  // a 60 s margin would refresh at once, every time
    BOOST_TEST(!cache.need(t0 + 29s).start_fetch);
    BOOST_TEST(cache.need(t0 + 30s).start_fetch);
}

BOOST_AUTO_TEST_CASE(half_of_a_one_second_lifetime_is_half_a_second) {
    TokenCache cache = make_cache();
    cache.need(t0);
    cache.fetched("brief", 1s);  // halved in whole seconds, the margin would be 0: no refresh ahead
    BOOST_TEST((cache.need(t0 + 499ms).verdict == Verdict::use));
    const auto in_margin = cache.need(t0 + 500ms);
    BOOST_TEST(in_margin.start_fetch);
    BOOST_TEST((in_margin.verdict == Verdict::use));
}

BOOST_AUTO_TEST_CASE(a_token_without_a_lifetime_serves_its_waiters_once) {
    TokenCache cache = make_cache();
    cache.need(t0);
    const auto once = cache.fetched("once", std::nullopt);
    BOOST_TEST(once->authorization == "Bearer once");
    const auto next = cache.need(t0 + 1ms);
    BOOST_TEST((next.verdict == Verdict::wait));
    BOOST_TEST(next.start_fetch);
    cache.need(t0 + 2ms);
    BOOST_TEST(cache.fetched("zero", 0s)->authorization == "Bearer zero");
    BOOST_TEST(cache.need(t0 + 3ms).start_fetch);
}

BOOST_AUTO_TEST_CASE(a_failed_fetch_is_tried_again_after_a_growing_backoff) {
    TokenCache cache = make_cache();
    cache.need(t0);
    cache.fetch_failed(refused, t0 + 10ms);
    // 100 ms after the failure, not before.
    const auto early = cache.need(t0 + 50ms);
    BOOST_TEST((early.verdict == Verdict::back_off));
    BOOST_TEST(!early.start_fetch);
    BOOST_TEST((early.not_before == t0 + 110ms));
    BOOST_TEST((early.last_error == refused));
    const auto again = cache.need(t0 + 110ms);
    BOOST_TEST((again.verdict == Verdict::wait));
    BOOST_TEST(again.start_fetch);
    cache.fetch_failed(refused, t0 + 120ms);
    BOOST_TEST((cache.need(t0 + 130ms).not_before == t0 + 320ms));  // 200 ms
    cache.need(t0 + 320ms);
    cache.fetch_failed(refused, t0 + 330ms);
    BOOST_TEST((cache.need(t0 + 340ms).not_before == t0 + 730ms));  // 400 ms
    for (int i = 0; i < 40; ++i) {
        const auto at = t0 + 1h + i * 10s;
        BOOST_TEST_REQUIRE(cache.need(at).start_fetch);
        cache.fetch_failed(refused, at);
    }
    BOOST_TEST((cache.need(t0 + 1h + 391s).not_before == t0 + 1h + 390s + 5s));  // capped
    // A success forgets the failures: after a 401 the refetch starts at once.
    BOOST_TEST_REQUIRE(cache.need(t0 + 1h + 395s).start_fetch);
    const auto ok = cache.fetched("ok", 3600s);
    BOOST_TEST(cache.rejected(ok->generation));
    BOOST_TEST(cache.need(t0 + 1h + 396s).start_fetch);
}

BOOST_AUTO_TEST_CASE(a_failed_refresh_keeps_the_old_token_until_it_expires) {
    TokenCache cache = make_cache();
    cache.need(t0);
    const auto first = cache.fetched("one", 100s);
    BOOST_TEST(cache.need(t0 + 50s).start_fetch);
    cache.fetch_failed(make_error_code(boost::asio::error::connection_refused), t0 + 51s);
    const auto during_backoff = cache.need(t0 + 51s);
    BOOST_TEST((during_backoff.verdict == Verdict::use));
    BOOST_TEST(!during_backoff.start_fetch);
    BOOST_TEST(during_backoff.token == first);
    BOOST_TEST(cache.need(t0 + 52s).start_fetch);  // after the backoff
}

BOOST_AUTO_TEST_CASE(a_401_condemns_only_the_token_it_answered) {
    TokenCache cache = make_cache();
    cache.need(t0);
    const auto first = cache.fetched("one", 3600s);
    BOOST_TEST(cache.rejected(first->generation));
    // A thousand requests answered 401 with that token: one refetch.
    for (int i = 0; i < 1000; ++i) BOOST_TEST(!cache.rejected(first->generation));
    BOOST_TEST(cache.need(t0 + 1s).start_fetch);
    for (int i = 0; i < 1000; ++i) BOOST_TEST(!cache.need(t0 + 1s).start_fetch);
    const auto second = cache.fetched("two", 3600s);
    // A late 401 to the first token does not drop the second.
    BOOST_TEST(!cache.rejected(first->generation));
    BOOST_TEST(cache.need(t0 + 2s).token == second);
    BOOST_TEST(cache.fetches() == 2u);
}

BOOST_AUTO_TEST_CASE(one_fetch_per_expiry_during_a_long_burst) {
    TokenCache cache = make_cache();
    cache.need(t0);
    cache.fetched("t", 300s);
    std::uint64_t fetches_started = 1;
    // A request every 100 ms for an hour, each fetch taking 200 ms.
    std::optional<TokenCache::clock::time_point> fetch_ends;
    for (auto now = t0; now < t0 + 1h; now += 100ms) {
        if (fetch_ends && now >= *fetch_ends) {
            cache.fetched("t", 300s);
            fetch_ends.reset();
        }
        const auto a = cache.need(now);
        BOOST_TEST_REQUIRE((a.verdict == Verdict::use));  // nobody ever waits
        if (a.start_fetch) {
            ++fetches_started;
            fetch_ends = now + 200ms;
        }
    }
    // Refreshed 240 s into each 300 s lifetime: the first fetch and 14
    // refreshes in the hour (at 240 s, 480 s, ... 3360 s).
    BOOST_TEST(fetches_started == 15u);
    BOOST_TEST(cache.fetches() == fetches_started);
}

BOOST_AUTO_TEST_SUITE_END()
